#!/usr/bin/env node
// The WebAssembly presigner with the contract of `oss-presign batch`
// (conformance/client/FORMAT.md): a JSON array of cases on stdin, a JSON array of results on
// stdout (one per case, in order, peer "rust-oss"), each case signed at its signing_time
// through the public presign() of index.mjs. A refused case is an `error` result (the
// module's message, which is the native crate's) and the exit status stays 0; input that is
// not a JSON array exits 2, a failed write 1.
//
// With `--prepared`, each case goes through a prepared presigner instead:
// prepare(the options but key, signingTime and expires).presign(key, {signingTime, expires}),
// which must answer exactly the same (the conformance suite runs both). With `--json`, each
// case's options are an object of another prototype, which presign() signs through its JSON
// path (a plain object goes through a prepared presigner it keeps); the suite runs that too.
//
//   cargo xtask wasm
//   node crates/oss-presign-wasm/js/batch.mjs [--prepared | --json] < conformance/client/presign-cases.json
import { presign, prepare } from './index.mjs';

const PREPARED = process.argv.includes('--prepared');
const JSON_PATH = process.argv.includes('--json');
const NOT_PLAIN = Object.create(Object.prototype);

function presignCase(o) {
  if (JSON_PATH) return presign(Object.create(NOT_PLAIN, Object.getOwnPropertyDescriptors(o)));
  if (!PREPARED) return presign(o);
  const { key, signingTime, expires, ...rest } = o;
  const signer = prepare(rest);
  try {
    return signer.presign(key, expires === undefined ? { signingTime } : { signingTime, expires });
  } finally {
    signer.close();
  }
}

const PEER = 'rust-oss';

// Unix seconds to YYYY-MM-DDTHH:MM:SSZ (the expirations are whole seconds).
function rfc3339(date) {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// A case's fields, named as presign() names them. Absent strings are "" (as the native
// batch reads them), so that a case without a signing time or a method is refused rather
// than signed at the host's clock or as GET.
function options(c) {
  const o = {
    bucket: c.bucket ?? '',
    key: c.key ?? '',
    method: c.method ?? '',
    accessKeyId: c.access_key_id ?? '',
    accessKeySecret: c.access_key_secret ?? '',
    signingTime: c.signing_time ?? '',
    headers: c.headers ?? {},
    query: c.query ?? {},
    additionalHeaders: c.additional_headers ?? [],
    pathStyle: c.use_path_style ?? false,
    cname: c.use_cname ?? false,
    internalEndpoint: c.use_internal_endpoint ?? false,
    accelerateEndpoint: c.use_accelerate_endpoint ?? false,
    dualstackEndpoint: c.use_dualstack_endpoint ?? false,
    disableSsl: c.disable_ssl ?? false,
  };
  const optional = {
    region: c.region,
    endpoint: c.endpoint,
    securityToken: c.security_token,
    expires: c.expires_seconds,
    signatureVersion: c.signature_version,
  };
  for (const [name, value] of Object.entries(optional)) {
    if (value !== undefined && value !== null) o[name] = value;
  }
  return o;
}

/** One case to one result object (the field order of the native results). */
function runCase(c) {
  if (c === null || typeof c !== 'object' || Array.isArray(c)) {
    return { id: '', peer: PEER, error: `invalid request: malformed case: ${JSON.stringify(c)} is not an object` };
  }
  const id = typeof c.id === 'string' ? c.id : '';
  try {
    const r = presignCase(options(c));
    return {
      id,
      peer: PEER,
      url: r.url,
      method: r.method,
      expiration: rfc3339(r.expiration),
      signed_headers: r.signedHeaders,
    };
  } catch (e) {
    return { id, peer: PEER, error: e.message };
  }
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

async function main() {
  let cases;
  try {
    cases = JSON.parse(await readStdin());
  } catch (e) {
    process.stderr.write(`error: the input is not a JSON array of cases: ${e.message}\n`);
    return 2;
  }
  if (!Array.isArray(cases)) {
    process.stderr.write('error: the input is not a JSON array of cases: it is not an array\n');
    return 2;
  }
  const text = JSON.stringify(cases.map(runCase), null, 2) + '\n';
  return new Promise((resolve) => {
    process.stdout.write(text, (e) => {
      if (e) {
        process.stderr.write(`error: cannot write the results: ${e.message}\n`);
        resolve(1);
      } else {
        resolve(0);
      }
    });
  });
}

process.exitCode = await main();

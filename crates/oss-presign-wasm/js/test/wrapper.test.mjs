// The JavaScript wrapper in Node (node --test crates/oss-presign-wasm/js/test/, run by
// xtask's tests after building the module): Dates, the host clock, thrown errors, the POST
// form, and loading the module by hand as an edge runtime does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { presign, presignPost, instantiate, createPresigner } from '../index.mjs';

const signer = {
  region: 'cn-hangzhou',
  accessKeyId: 'LTAI5tExampleAccessKeyId',
  accessKeySecret: 'ExampleAccessKeySecret0123456789abcd',
};

test('the documentation example, with a Date as the signing instant', () => {
  const r = presign({ ...signer, bucket: 'examplebucket', key: 'exampleobject.txt', signingTime: new Date('2024-11-12T09:27:56.789Z') });
  assert.equal(r.method, 'GET');
  assert.ok(r.url.startsWith('https://examplebucket.oss-cn-hangzhou.aliyuncs.com/exampleobject.txt?'));
  assert.ok(r.url.endsWith('x-oss-signature=d2816a52095ab421a9b20de7f1973f3147c2694713c8ab28bc60c60bdb94a6fa'), r.url);
  assert.ok(r.expiration instanceof Date);
  assert.equal(r.expiration.toISOString(), '2024-11-12T09:42:56.000Z');
  assert.deepEqual(r.signedHeaders, {});
});

test('Unix seconds and RFC 3339 text give the same URL as the Date', () => {
  const base = { ...signer, bucket: 'examplebucket', key: 'k' };
  const a = presign({ ...base, signingTime: new Date('2024-11-12T09:27:56Z') }).url;
  assert.equal(presign({ ...base, signingTime: 1731403676 }).url, a);
  assert.equal(presign({ ...base, signingTime: '2024-11-12T09:27:56Z' }).url, a);
});

test('without signingTime the host clock signs', () => {
  const before = Math.floor(Date.now() / 1000);
  const r = presign({ ...signer, bucket: 'examplebucket', key: 'k', expires: 60 });
  const after = Math.floor(Date.now() / 1000);
  const at = r.expiration.getTime() / 1000 - 60;
  assert.ok(at >= before && at <= after, `${at} not in ${before}..${after}`);
});

test('an expiration Date wins over expires', () => {
  const r = presign({ ...signer, bucket: 'examplebucket', key: 'k', signingTime: 1731403676, expires: 60, expiration: new Date(1731403676000 + 3600e3) });
  assert.ok(r.url.includes('x-oss-expires=3600'), r.url);
});

test('a signed PUT reports its headers; STS token in the URL', () => {
  const r = presign({ ...signer, securityToken: 'tok+/=', bucket: 'examplebucket', key: 'up.txt', op: 'put', headers: { 'Content-Type': 'text/plain', 'x-oss-meta-a': '1' }, signingTime: 0 });
  assert.equal(r.method, 'PUT');
  assert.deepEqual(r.signedHeaders, { 'content-type': 'text/plain', 'x-oss-meta-a': '1' });
  assert.ok(r.url.includes('x-oss-security-token=tok%2B%2F%3D'), r.url);
});

test('refusals throw an Error with the native message', () => {
  assert.throws(() => presign({ ...signer, bucket: '-bad', key: 'k', signingTime: 0 }), (e) => {
    assert.ok(e instanceof Error);
    assert.match(e.message, /^invalid bucket name: bucket "-bad"/);
    return true;
  });
  assert.throws(() => presign({ ...signer, bucket: 'examplebucket', key: 'k', expires: 604801, signingTime: 0 }), /^Error: invalid expiry: expires gives 604801 seconds/);
  assert.throws(() => presign({ ...signer, bucket: 'examplebucket', key: 'k', expire: 5 }), /unknown field `expire`/);
  assert.throws(() => presign({ ...signer, bucket: 'examplebucket', key: 'k', signingTime: new Date('nope') }), TypeError);
  assert.throws(() => presign(null), TypeError);
  assert.throws(() => presign([]), TypeError);
  // The module keeps working after a refusal.
  assert.equal(presign({ ...signer, bucket: 'examplebucket', key: 'k', signingTime: 0 }).method, 'GET');
});

test('a large and a non-ASCII request round-trip through linear memory', () => {
  const key = 'ключ/中文/' + 'x'.repeat(900);
  const r = presign({ ...signer, bucket: 'examplebucket', key, signingTime: 0, headers: { 'x-oss-meta-note': 'é'.repeat(4000) } });
  assert.ok(r.url.includes('%D0%BA%D0%BB%D1%8E%D1%87/%E4%B8%AD%E6%96%87/xxx'), r.url.slice(0, 120));
  assert.equal(r.signedHeaders['x-oss-meta-note'], 'é'.repeat(4000));
});

test('presignPost returns the form fields in sending order', () => {
  const f = presignPost({ ...signer, securityToken: 'tok', bucket: 'examplebucket', keyPrefix: 'user/', contentType: 'image/png', contentLengthRange: [1, 1024], signingTime: '2024-11-12T09:27:56Z', expires: 600 });
  assert.equal(f.url, 'https://examplebucket.oss-cn-hangzhou.aliyuncs.com/');
  const names = f.fields.map(([n]) => n);
  assert.deepEqual(names, ['key', 'Content-Type', 'policy', 'x-oss-signature-version', 'x-oss-credential', 'x-oss-date', 'x-oss-security-token', 'x-oss-signature']);
  assert.equal(f.expiration.toISOString(), '2024-11-12T09:37:56.000Z');
  const policy = JSON.parse(Buffer.from(f.fields[2][1], 'base64').toString());
  assert.equal(JSON.stringify(policy), f.policy);
  assert.deepEqual(policy.conditions[1], ['starts-with', '$key', 'user/']);
  assert.throws(() => presignPost({ ...signer, bucket: 'examplebucket', key: 'a', signingTime: 0, expires: 8 * 86400 }), /^Error: invalid expiry/);
});

test('instantiate() and createPresigner() load the module by hand', async () => {
  const bytes = await readFile(new URL('../oss_presign_wasm.wasm', import.meta.url));
  const p = await instantiate(bytes);
  const a = p.presign({ ...signer, bucket: 'examplebucket', key: 'k', signingTime: 0 });
  assert.equal(a.url, presign({ ...signer, bucket: 'examplebucket', key: 'k', signingTime: 0 }).url);
  p.release();
  const compiled = await WebAssembly.compile(bytes);
  assert.equal((await instantiate(compiled)).presign({ ...signer, bucket: 'examplebucket', key: 'k', signingTime: 0 }).url, a.url);
  const other = await WebAssembly.instantiate(await WebAssembly.compile(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0])));
  assert.throws(() => createPresigner(other), /not an oss-presign-wasm module/);
});

test('after a trap the presigner reloads from the compiled module', async () => {
  const bytes = await readFile(new URL('../oss_presign_wasm.wasm', import.meta.url));
  const compiled = await WebAssembly.compile(bytes);
  const real = await WebAssembly.instantiate(compiled, {});
  // An instance whose presign traps once, as an exhausted memory would make it (presign()
  // signs through oss_presign_prepared, or oss_presign_at for options it cannot prepare).
  let traps = 1;
  const exports = {
    ...real.exports,
    oss_presign_at(len, now) {
      if (traps-- > 0) throw new WebAssembly.RuntimeError('unreachable');
      return real.exports.oss_presign_at(len, now);
    },
    oss_presign_prepared(...args) {
      if (traps-- > 0) throw new WebAssembly.RuntimeError('unreachable');
      return real.exports.oss_presign_prepared(...args);
    },
  };
  const options = { ...signer, bucket: 'examplebucket', key: 'k', signingTime: 0 };
  const reloading = createPresigner({ exports }, compiled);
  assert.throws(() => reloading.presign(options), /trapped \(unreachable\); it was loaded again/);
  assert.equal(reloading.presign(options).url, presign(options).url);

  traps = 1;
  const once = createPresigner({ exports });
  assert.throws(() => once.presign(options), /trapped \(unreachable\); load it again/);
  assert.throws(() => once.presign(options), /trapped earlier/);
});

test('the compact answer of oss_presign_at reads back as the JSON answer of oss_presign', async () => {
  const bytes = await readFile(new URL('../oss_presign_wasm.wasm', import.meta.url));
  const { instance } = await WebAssembly.instantiate(bytes, {});
  const ex = instance.exports;
  const viaJson = (options) => {
    const input = new TextEncoder().encode(JSON.stringify(options));
    const ptr = ex.oss_input(input.length) >>> 0; // may grow the memory: take the buffer after
    new Uint8Array(ex.memory.buffer, ptr, input.length).set(input);
    const status = ex.oss_presign();
    const text = new TextDecoder().decode(new Uint8Array(ex.memory.buffer, ex.oss_output_ptr() >>> 0, ex.oss_output_len() >>> 0));
    assert.equal(status, 0, text);
    const r = JSON.parse(text);
    return { ...r, expiration: new Date(r.expiration * 1000) };
  };
  const cases = [
    { key: 'k' },
    { key: 'dir/ünïcödé 😀 key', op: 'put', headers: { 'Content-Type': 'text/plain; charset=ütf-8', 'x-oss-meta-name': 'värde 😀 名', 'Cache-Control': 'no-cache' } },
    { key: 'a', method: 'post', query: { uploads: null, 'x-z': 'ö' }, headers: { 'x-oss-meta-b': '', 'x-oss-meta-a': '1', 'x-oss-meta-10': 'ten', 'x-oss-meta-2': 'two' } },
    { key: 'v1', signatureVersion: 'v1', headers: { 'Content-MD5': 'eB5eJF1ptWaXm4bijSPyxw==' }, expires: 60 },
  ];
  for (const extra of cases) {
    const options = { ...signer, bucket: 'examplebucket', signingTime: 1731403676, securityToken: 'tok', ...extra };
    const fast = presign(options);
    assert.deepEqual(fast, viaJson(options));
    // The key order too (deepEqual does not look at it).
    assert.deepEqual(Object.keys(fast.signedHeaders), Object.keys(viaJson(options).signedHeaders));
  }
});

test('a null signingTime is refused as missing, a given one wins over the host clock', () => {
  const base = { ...signer, bucket: 'examplebucket', key: 'k' };
  assert.throws(() => presign({ ...base, signingTime: null }), /^Error: invalid configuration: signingTime is missing/);
  assert.equal(presign({ ...base, signingTime: 0, expires: 5 }).expiration.getTime(), 5000);
});

// URLs and forms signed by the WebAssembly module, used with Node's fetch against a real local
// OSS stand-in (oss-testserver, started by xtask/tests/wasm_js.rs, which passes its endpoint
// and credentials in the environment and checks the store afterwards). Exits non-zero on the
// first wrong outcome.
//   OSS_E2E_ENDPOINT=http://127.0.0.1:PORT OSS_E2E_AK=... OSS_E2E_SK=... node local_server.mjs
import assert from 'node:assert/strict';
import { presign, presignPost } from '../index.mjs';

const endpoint = process.env.OSS_E2E_ENDPOINT;
const signer = {
  region: 'cn-hangzhou',
  endpoint,
  accessKeyId: process.env.OSS_E2E_AK,
  accessKeySecret: process.env.OSS_E2E_SK,
};
assert.ok(endpoint && signer.accessKeyId && signer.accessKeySecret, 'the environment names the server');

// GET of an object the test put into the store.
const get = presign({ ...signer, bucket: 'bucket', key: 'hello.txt', expires: 300 });
assert.ok(get.url.startsWith(`${endpoint}/bucket/hello.txt?`), get.url);
let r = await fetch(get.url);
assert.equal(r.status, 200);
assert.equal(await r.text(), 'hello from the store');

// A tampered signature and an expired URL get OSS's 403.
const tampered = get.url.replace(/x-oss-signature=([0-9a-f])/, (_, c) => `x-oss-signature=${c === '0' ? '1' : '0'}`);
r = await fetch(tampered);
assert.equal(r.status, 403);
assert.match(await r.text(), /SignatureDoesNotMatch/);
const expired = presign({ ...signer, bucket: 'bucket', key: 'hello.txt', expires: 60, signingTime: new Date(Date.now() - 3600e3) });
r = await fetch(expired.url);
assert.equal(r.status, 403);
assert.match(await r.text(), /AccessDenied|expired/i);

// PUT with a signed Content-Type: accepted with it, refused without it.
const put = presign({ ...signer, bucket: 'bucket', key: 'up/wasm.txt', op: 'put', headers: { 'Content-Type': 'text/plain' } });
assert.deepEqual(put.signedHeaders, { 'content-type': 'text/plain' });
r = await fetch(put.url, { method: 'PUT', headers: { 'Content-Type': 'application/octet-stream' }, body: 'wrong' });
assert.equal(r.status, 403);
await r.arrayBuffer();
r = await fetch(put.url, { method: put.method, headers: put.signedHeaders, body: 'uploaded by the wasm signer' });
assert.equal(r.status, 200, await r.text());
const back = await fetch(presign({ ...signer, bucket: 'bucket', key: 'up/wasm.txt' }).url);
assert.equal(back.status, 200);
assert.equal(back.headers.get('content-type'), 'text/plain');
assert.equal(await back.text(), 'uploaded by the wasm signer');

// A POST-policy form upload (PostObject), with STS-style fields absent (long-term key).
const form = presignPost({ ...signer, bucket: 'bucket', keyPrefix: 'forms/', contentLengthRange: [1, 1024], expires: 300 });
const body = new FormData();
for (const [name, value] of form.fields) body.append(name, name === 'key' ? `${value}form.txt` : value);
body.append('file', new Blob(['posted by the wasm signer']), 'form.txt');
r = await fetch(form.url, { method: 'POST', body });
assert.ok(r.status === 204 || r.status === 200, `${r.status} ${await r.text()}`);
const posted = await fetch(presign({ ...signer, bucket: 'bucket', key: 'forms/form.txt' }).url);
assert.equal(await posted.text(), 'posted by the wasm signer');
// A key outside the policy's prefix is refused.
const outside = new FormData();
for (const [name, value] of form.fields) outside.append(name, name === 'key' ? 'elsewhere.txt' : value);
outside.append('file', new Blob(['x']), 'x.txt');
r = await fetch(form.url, { method: 'POST', body: outside });
assert.equal(r.status, 403, await r.text());

console.log('local server: GET, tampered, expired, PUT with Content-Type, POST form: ok');

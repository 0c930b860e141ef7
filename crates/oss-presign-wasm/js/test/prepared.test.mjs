// Prepared presigners against the one-shot presign() (node --test, run by xtask's
// tests/wasm_js.rs after building the module): for many generated option sets, prepare(options
// without key).presign(key, call options) must give exactly presign({...options, key,
// ...call options}): the same result, or an Error of the same class with the same message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { presign, prepare, createPresigner } from '../index.mjs';

// A small deterministic generator (xorshift32), so a failure names a reproducible case.
function rng(seed) {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
  const any = (xs) => xs[Math.floor(next() * xs.length)];
  // The first choice (a valid one) most of the time, so that both outcomes are common.
  return { pick: (xs) => (next() < 0.75 ? xs[0] : any(xs)), chance: (p) => next() < p };
}

const AT = 1731403676;
const pieces = {
  region: ['cn-hangzhou', 'us-west-1', 'Bad_Region', undefined],
  bucket: ['examplebucket', 'b-1', '-bad', 'ab'],
  key: ['k', 'folder/exampleobject.txt', 'a b+c?d=e&f', '中文/ключ 🎈', '', '../x', 'x'.repeat(300), 7],
  method: [undefined, 'GET', 'put', 'HEAD', 'G T'],
  op: [undefined, undefined, 'put', 'head', 'upload-part', 'list'],
  securityToken: [undefined, 'CAIS+/=token', ''],
  signatureVersion: [undefined, 'v4', 'v1', 'v2'],
  endpoint: [undefined, 'oss-cn-hangzhou.aliyuncs.com', 'http://127.0.0.1:9000', 'static.example.com'],
  headers: [undefined, { 'Content-Type': 'text/plain' }, { 'x-oss-meta-a': '1', Range: 'bytes=0-1' }, { 'bad name': 'x' }],
  query: [undefined, { 'response-content-type': 'text/plain' }, { acl: null, versionId: 'v1' }],
  signingTime: [AT, AT + 86400 - 1, new Date(AT * 1000 + 999), '2024-11-12T09:27:56Z', 'yesterday', null, 1.5, -1, 1e20, new Date('nope')],
  expires: [undefined, 0, 60, 604800, 604801, -1, 1.5, '600', null],
  expiration: [undefined, undefined, undefined, AT + 3600, new Date((AT + 60) * 1000), '2024-11-12T10:27:56Z', AT - 10],
};

// Options of another prototype take presign()'s JSON path (JSON.stringify reads only their own
// fields), which is the reference here: a plain object is signed through a prepared presigner.
const NOT_PLAIN = Object.create(Object.prototype);
const jsonPath = (options) => Object.create(NOT_PLAIN, Object.getOwnPropertyDescriptors(options));

function outcome(f) {
  try {
    return { ok: f() };
  } catch (e) {
    return { error: e.constructor.name, message: e.message };
  }
}

function generated(seed) {
  const r = rng(seed);
  const base = { accessKeyId: r.pick(['LTAI5tExampleId', ' ']), accessKeySecret: 'example-secret' };
  for (const name of ['region', 'bucket', 'method', 'op', 'securityToken', 'signatureVersion', 'endpoint', 'headers', 'query']) {
    const v = r.pick(pieces[name]);
    if (v !== undefined) base[name] = v;
  }
  if (base.method !== undefined && base.op !== undefined && r.chance(0.7)) delete base.method;
  if (base.op === 'upload-part' && r.chance(0.7)) Object.assign(base, { uploadId: 'UP1', partNumber: 3 });
  if (r.chance(0.2)) base.pathStyle = true;
  if (base.endpoint === 'static.example.com') base.cname = true;
  const call = {};
  for (const name of ['signingTime', 'expires', 'expiration']) {
    const v = r.pick(pieces[name]);
    if (v !== undefined) call[name] = v;
  }
  return { base, key: r.pick(pieces.key), call, defaults: r.chance(0.3) };
}

test('a prepared presigner answers what presign() answers, for 1000 generated cases', () => {
  let ok = 0;
  let refused = 0;
  for (let seed = 1; seed <= 1000; seed++) {
    const { base, key, call, defaults } = generated(seed);
    const oneShot = outcome(() => presign(jsonPath({ ...base, key, ...call })));
    // presign() with a plain object (through its cached prepared presigner) answers the same.
    assert.deepEqual(outcome(() => presign({ ...base, key, ...call })), oneShot, `seed ${seed}: one-shot`);
    // The per-call options given to prepare() as defaults, or to each call.
    const prepared = outcome(() => {
      const signer = defaults ? prepare({ ...base, ...call }) : prepare(base);
      try {
        return defaults ? signer.presign(key) : signer.presign(key, call);
      } finally {
        signer.close();
      }
    });
    assert.deepEqual(prepared, oneShot, `seed ${seed}: ${JSON.stringify({ base, key, call, defaults })}`);
    if (oneShot.ok) ok++;
    else refused++;
  }
  // The generator reaches both sides.
  assert.ok(ok > 150 && refused > 150, `${ok} signed, ${refused} refused`);
});

test('one prepared presigner signs many keys, at many instants, as presign() does', () => {
  const base = { region: 'cn-hangzhou', bucket: 'examplebucket', accessKeyId: 'STS.id', accessKeySecret: 'sk', securityToken: 'tok', expires: 600 };
  const signer = prepare(base);
  for (let i = 0; i < 300; i++) {
    // across two UTC midnights: the day's signing key must follow
    const signingTime = 1731369600 - 150 + i * 600;
    const key = `dir ${i % 7}/файл-${i}.bin`;
    assert.deepEqual(signer.presign(key, { signingTime }), presign(jsonPath({ ...base, key, signingTime })), `${i}`);
  }
  const before = Math.floor(Date.now() / 1000);
  const r = signer.presign('now.txt');
  const at = r.expiration.getTime() / 1000 - 600;
  assert.ok(at >= before && at <= Math.floor(Date.now() / 1000) + 1, 'the host clock signs by default');
  signer.close();
});

test('refusals are Errors with the native messages; misuse is a TypeError', () => {
  const base = { region: 'cn-hangzhou', bucket: 'examplebucket', accessKeyId: 'ak', accessKeySecret: 'sk' };
  const signer = prepare(base);
  assert.throws(() => signer.presign('k', { signingTime: 0, expires: 604801 }), (e) => {
    assert.ok(e instanceof Error && !(e instanceof TypeError));
    assert.match(e.message, /^invalid expiry: expires gives 604801 seconds/);
    return true;
  });
  assert.throws(() => signer.presign('k', { signingTime: 'yesterday' }), /^Error: invalid request: signingTime "yesterday" is not YYYY-MM-DDTHH:MM:SSZ/);
  assert.throws(() => signer.presign('k', { signingTime: 0, expire: 5 }), /unknown field `expire`/);
  assert.throws(() => signer.presign('k', { signingTime: new Date('nope') }), TypeError);
  assert.throws(() => signer.presign('k', 5), TypeError);
  assert.throws(() => prepare({ ...base, key: 'k' }), TypeError);
  assert.throws(() => prepare(null), TypeError);
  assert.throws(() => prepare({ ...base, expire: 1 }), /^Error: invalid request: the presign options are malformed: unknown field `expire`/);
  assert.throws(() => prepare({ ...base, bucket: 5 }), /invalid type for `bucket`: integer 5, expected a string/);
  // A bad bucket is refused per call, with presign()'s message.
  const bad = prepare({ ...base, bucket: '-bad' });
  assert.throws(() => bad.presign('k', { signingTime: 0 }), /^Error: invalid bucket name: bucket "-bad"/);
  signer.close();
  assert.throws(() => signer.presign('k', { signingTime: 0 }), /was closed/);
  signer.close();
});

test('secrets never appear in the messages', () => {
  const signer = prepare({ region: 'cn-hangzhou', bucket: '-', accessKeyId: 'a', accessKeySecret: 'TOPSECRET-1', securityToken: 'TOPSECRET-2' });
  for (const call of [{ signingTime: 0 }, { signingTime: 0, expires: 9999999 }, { signingTime: 'x' }]) {
    assert.throws(() => signer.presign('k', call), (e) => !e.message.includes('TOPSECRET'));
  }
});

test('after a trap a prepared presigner prepares itself again in the fresh instance', async () => {
  const compiled = await WebAssembly.compile(await readFile(new URL('../oss_presign_wasm.wasm', import.meta.url)));
  const real = await WebAssembly.instantiate(compiled, {});
  let traps = 1;
  const exports = {
    ...real.exports,
    oss_presign_prepared(...args) {
      if (traps-- > 0) throw new WebAssembly.RuntimeError('unreachable');
      return real.exports.oss_presign_prepared(...args);
    },
  };
  const base = { region: 'cn-hangzhou', bucket: 'examplebucket', accessKeyId: 'ak', accessKeySecret: 'sk' };
  const signer = createPresigner({ exports }, compiled).prepare(base);
  assert.throws(() => signer.presign('k', { signingTime: 0 }), /trapped \(unreachable\); it was loaded again/);
  assert.deepEqual(signer.presign('k', { signingTime: 0 }), presign(jsonPath({ ...base, key: 'k', signingTime: 0 })));
});

test('keys that grow the module memory, and many presigners at once', () => {
  const base = { region: 'cn-hangzhou', bucket: 'examplebucket', accessKeyId: 'ak', accessKeySecret: 'sk', signingTime: 1731403676 };
  const signer = prepare(base);
  // Too long for a key (refused alike), but written into the module first.
  for (const key of ['ä'.repeat(200000), 'k', '😀'.repeat(300000), 'ü'.repeat(500)]) {
    assert.deepEqual(outcome(() => signer.presign(key)), outcome(() => presign(jsonPath({ ...base, key }))));
  }
  assert.ok(outcome(() => signer.presign('ü'.repeat(500))).ok);
  const many = Array.from({ length: 50 }, (_, i) => prepare({ ...base, bucket: `bucket-${i}` }));
  many.forEach((p, i) => assert.deepEqual(p.presign('k'), presign(jsonPath({ ...base, bucket: `bucket-${i}`, key: 'k' }))));
  many.forEach((p) => p.close());
  signer.close();
});

test('presign() keeps a prepared presigner while the options stay the same, and follows each change', () => {
  const base = { region: 'cn-hangzhou', bucket: 'examplebucket', accessKeyId: 'STS.id', accessKeySecret: 'sk', securityToken: 'tok' };
  // Each step changes one thing of the last (or nothing); every answer is the JSON path's.
  const steps = [
    {}, {}, { bucket: 'otherbucket' }, { bucket: 'examplebucket' }, { accessKeySecret: 'sk2' },
    { securityToken: undefined }, { securityToken: null }, { pathStyle: true }, { pathStyle: false },
    { region: 'us-west-1' }, { signatureVersion: 'v1' }, { signatureVersion: 'v4' }, { bucket: '-bad' },
    { bucket: '-bad' }, { bucket: 'examplebucket' }, { expire: 5 }, { expire: undefined },
    { headers: { 'Content-Type': 'text/plain' } }, { headers: undefined }, { endpoint: 'http://127.0.0.1:9000' },
    { key: 'ключ/🎈' }, { key: 'lone \ud800 surrogate' }, { key: 'k' }, { signingTime: '2024-11-12T09:27:56Z' },
    { signingTime: 'bad \udfff' }, { signingTime: new Date('nope') }, { expiration: new Date('nope') },
    { expiration: new Date((AT + 60) * 1000), signingTime: AT }, { expires: 60, expiration: undefined },
    { expires: '60' }, { expires: new Date(AT * 1000) }, { expires: new Date('nope') }, { expires: 60 },
    JSON.parse('{"__proto__": "x"}'), { op: 'put', method: undefined },
    { op: 'upload-part' },
  ];
  let options = { ...base, key: 'k', signingTime: AT };
  for (const [i, step] of steps.entries()) {
    options = { ...options, ...step };
    const reference = outcome(() => presign(jsonPath(options)));
    assert.deepEqual(outcome(() => presign(options)), reference, `step ${i}: ${JSON.stringify(step)}`);
    assert.deepEqual(outcome(() => presign({ ...options })), reference, `step ${i} again`);
    // And a prepared presigner for the same options (when prepare() takes them: it refuses
    // malformed ones itself, naming its own fields).
    const { key, ...rest } = options;
    const signer = outcome(() => prepare(rest));
    if (signer.ok) {
      assert.deepEqual(outcome(() => signer.ok.presign(key)), reference, `step ${i} prepared`);
      signer.ok.close();
    }
  }
  // An own `__proto__` option (JSON.parse makes one) is an option like any other, refused.
  const withProto = { ...base, ...JSON.parse('{"__proto__": "x"}') };
  assert.throws(() => prepare(withProto), /unknown field `__proto__`/);
  assert.throws(() => presign({ ...withProto, key: 'k' }), /unknown field `__proto__`/);
  // Two option sets in turn, and the host clock.
  const a = { ...base, key: 'a' };
  const b = { ...base, bucket: 'bucket-b', key: 'b' };
  for (let i = 0; i < 20; i++) {
    const o = i % 2 ? a : b;
    const before = Math.floor(Date.now() / 1000);
    const r = presign(o);
    const at = r.expiration.getTime() / 1000 - 900;
    assert.ok(at >= before && at <= Math.floor(Date.now() / 1000), `${i}: the host clock signs`);
    assert.deepEqual(r, presign(jsonPath({ ...o, signingTime: at })), `${i}`);
  }
});

// The crypto floor of a V4 presign in WebAssembly, beside the module's prepared presign and
// ali-oss's signatureUrlV4, in one Node process (issue 15: is "20x faster than ali-oss" below
// the floor?). Not run by CI; ali-oss stays outside the repository:
//
//   cargo xtask wasm
//   npm install --prefix target/wasm-bench --no-save ali-oss@6.23.0
//   node crates/oss-presign-wasm/benches/floor_vs_ali_oss.mjs target/wasm-bench/node_modules/ali-oss
//
// The floor is what every V4 presigner computes for the request whatever else it does: the
// hex SHA-256 of the canonical request and the hex HMAC-SHA256 (key states precomputed) of the
// string to sign, with the code the module's presign runs (src/bench_floor.rs, feature
// `bench-floor`). This script builds that bench module itself, apart from the shipped one:
// `cargo build --features bench-floor` with the `wasm-release` profile into target/wasm-floor,
// then wasm-opt with the arguments of xtask/src/wasm_opt.rs (read from that file, run with the
// binaryen that `cargo xtask wasm` installed), into target/wasm-floor/floor.wasm
// (FLOOR_NO_BUILD=1 takes that file as it is).
//
// Request: the one of vs_ali_oss.mjs (V4 GET with an STS token, 15 minutes, cn-hangzhou).
// Cases: floor (through the key's first-block cache, as a presign pays it), floor without the
// cache, the shipped module's prepare(options).presign(key), the same on the bench module
// (a check that the extra exports change nothing), and ali-oss signatureUrlV4. Each round
// times every case over a batch, in an order rotated from round to round, each right after a
// batch of the floor (as the native presign_ratios benches do), so a case and the floor it is
// divided by run within milliseconds of each other; the figures are medians over rounds (us per
// call) and medians of the per-round ratios, a ratio of two cases being that of their ratios to
// the floor beside them (FLOOR_ROUNDS=N sets the number of rounds, 31 by default).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { aliOssClient, bucket, creds, expires, key, region, shared } from './ali_oss_request.mjs';
import { createPresigner, prepare } from '../js/index.mjs';

const { client, version: aliVersion } = aliOssClient(process.argv[2], 'floor_vs_ali_oss.mjs');
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const floorDir = path.join(root, 'target/wasm-floor');
const floorWasm = path.join(floorDir, 'floor.wasm');

function buildFloorModule() {
  const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  run(process.env.CARGO ?? 'cargo', [
    'build', '-p', 'oss-presign-wasm', '--features', 'bench-floor', '--target', 'wasm32-unknown-unknown',
    '--profile', 'wasm-release', '--target-dir', floorDir,
  ]);
  const built = path.join(floorDir, 'wasm32-unknown-unknown/wasm-release/oss_presign_wasm.wasm');
  if (existsSync(floorWasm) && statSync(floorWasm).mtimeMs >= statSync(built).mtimeMs) return;
  const source = readFileSync(path.join(root, 'xtask/src/wasm_opt.rs'), 'utf8');
  const list = source.match(/pub const ARGS: &\[&str\] = &\[([^\]]*)\];/);
  if (!list) throw new Error('cannot read the wasm-opt arguments from xtask/src/wasm_opt.rs');
  const args = [...list[1].matchAll(/"([^"]*)"/g)].map((m) => m[1]);
  const wasmOpt = path.join(root, 'target/wasm-tools/node_modules/binaryen/bin/wasm-opt');
  if (!existsSync(wasmOpt)) throw new Error(`no ${wasmOpt}: run \`cargo xtask wasm\` first`);
  console.log(`wasm-opt ${args.join(' ')}`);
  run(process.execPath, [wasmOpt, ...args, built, '-o', floorWasm]);
}
if (!process.env.FLOOR_NO_BUILD) buildFloorModule();

// The bench module: its floor exports, and a presigner of its own on the same instance.
const compiled = await WebAssembly.compile(readFileSync(floorWasm));
const instance = await WebAssembly.instantiate(compiled, {});
const ex = instance.exports;
const benchSigner = createPresigner(instance, compiled).prepare(shared);
const signer = prepare(shared);

const now = Math.floor(Date.now() / 1000);
const request = new TextEncoder().encode(
  [creds.accessKeyId, creds.accessKeySecret, creds.stsToken, region, bucket, key, expires].join('\n'),
);
new Uint8Array(ex.memory.buffer, ex.oss_input(request.length) >>> 0, request.length).set(request);
const lengths = ex.oss_bench_floor_setup(now) >>> 0;
if (lengths === 0) throw new Error('the bench module refused the floor request');
const canonicalLen = lengths >>> 16;
const stringToSignLen = lengths & 0xffff;
const floorOut = () => new TextDecoder().decode(new Uint8Array(ex.memory.buffer, ex.oss_bench_floor_output() >>> 0, 128));
const expected = floorOut();
const signatureOf = (url) => new URL(url).searchParams.get('x-oss-signature');

// The floor signs what the module and ali-oss sign: same signature at the same second.
const ours = signatureOf(prepare({ ...shared, signingTime: now }).presign(key).url);
let sameAli = false;
for (let i = 0; i < 5 && !sameAli; i++) {
  const at = Math.floor(Date.now() / 1000);
  const theirs = signatureOf(await client.signatureUrlV4('GET', expires, {}, key));
  sameAli = theirs === signatureOf(prepare({ ...shared, signingTime: at }).presign(key).url);
}
const floorChecks = [1, 0].every((cached) => (ex.oss_bench_floor(cached), floorOut() === expected));
const sameFloor = expected.slice(64) === ours && floorChecks;

// Compressions: the canonical request, the string to sign after the precomputed key block (one
// fewer through the first-block cache), the outer hash.
const blocks = (len) => Math.floor((len + 8) / 64) + 1;
const compressionsCached = blocks(canonicalLen) + blocks(stringToSignLen) - (stringToSignLen >= 64 ? 1 : 0) + 1;
const compressionsUncached = blocks(canonicalLen) + blocks(stringToSignLen) + 1;

function timeSync(run, n) {
  const start = process.hrtime.bigint();
  run(n);
  return Number(process.hrtime.bigint() - start) / 1e3 / n;
}
let sink = 0;
const cases = [
  { name: 'floor', n: 20000, time: (n) => timeSync((c) => { for (let i = 0; i < c; i++) sink ^= ex.oss_bench_floor(1); }, n) },
  { name: 'floor_uncached', n: 20000, time: (n) => timeSync((c) => { for (let i = 0; i < c; i++) sink ^= ex.oss_bench_floor(0); }, n) },
  { name: 'module', n: 10000, time: (n) => timeSync((c) => { for (let i = 0; i < c; i++) sink ^= signer.presign(key).url.length; }, n) },
  { name: 'bench_module', n: 10000, time: (n) => timeSync((c) => { for (let i = 0; i < c; i++) sink ^= benchSigner.presign(key).url.length; }, n) },
  {
    name: 'ali',
    n: 1000,
    time: async (n) => {
      const start = process.hrtime.bigint();
      for (let i = 0; i < n; i++) sink ^= (await client.signatureUrlV4('GET', expires, {}, key)).length;
      return Number(process.hrtime.bigint() - start) / 1e3 / n;
    },
  },
];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

for (const c of cases) await c.time(c.n); // warm-up
const rounds = Number(process.env.FLOOR_ROUNDS ?? 31);
const per = Object.fromEntries(cases.map((c) => [c.name, []]));
const beside = Object.fromEntries(cases.map((c) => [c.name, []]));
for (let round = 0; round < rounds; round++) {
  for (let j = 0; j < cases.length; j++) {
    const c = cases[(round + j) % cases.length];
    beside[c.name].push(cases[0].time(5000));
    per[c.name].push(await c.time(c.n));
  }
}
// Per round: a case in floors (the floor batch beside it), and two cases as the ratio of those.
const inFloors = (name) => per[name].map((x, i) => x / beside[name][i]);
const ratio = (a, b) => {
  const of = inFloors(a);
  if (b === 'floor') return median(of);
  const base = inFloors(b);
  return median(of.map((x, i) => x / base[i]));
};
const us = (name) => median(per[name]).toFixed(2);

console.log(`node ${process.version}, ali-oss ${aliVersion}; ${rounds} rounds, rotated order, each case beside a floor batch`);
console.log(`same signature: floor = module ${sameFloor ? 'yes' : 'NO'}, module = ali-oss at the same second ${sameAli ? 'yes' : 'NO'}`);
console.log(`canonical request ${canonicalLen} bytes, string to sign ${stringToSignLen} bytes`);
console.log(`floor (first-block cache, ${compressionsCached} compressions): ${us('floor')} us`);
console.log(`floor without the cache (${compressionsUncached} compressions): ${us('floor_uncached')} us`);
console.log(`module prepare(options).presign(key): ${us('module')} us (bench module: ${us('bench_module')} us)`);
console.log(`ali-oss signatureUrlV4: ${us('ali')} us`);
console.log(`ali-oss / floor: ${ratio('ali', 'floor').toFixed(1)}x (without the cache: ${ratio('ali', 'floor_uncached').toFixed(1)}x)`);
console.log(`ali-oss / module: ${ratio('ali', 'module').toFixed(1)}x`);
console.log(`module / floor: ${ratio('module', 'floor').toFixed(2)}x (without the cache: ${ratio('module', 'floor_uncached').toFixed(2)}x)`);
if (!sameFloor || !sameAli || sink === 0.5) process.exitCode = 1;

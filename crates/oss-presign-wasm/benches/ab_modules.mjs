// presign() and prepare(options).presign(key) of several module builds (and wrappers) in one
// Node process, alternating rounds, so a machine busy for a moment slows all of them; medians
// over rounds in microseconds, of wall time and of the process's CPU time (steadier on a busy
// machine; AB_ROUNDS=N sets the number of rounds, 11 by default). Not run by CI. Each argument is MODULE.wasm (through this checkout's js/core.mjs) or
// CORE.mjs=MODULE.wasm (another wrapper, e.g. an older core.mjs from `git show`):
//
//   CARGO_TARGET_DIR=/tmp/$BRANCH/tgt CARGO_PROFILE_WASM_RELEASE_OPT_LEVEL=z \
//     cargo build -p oss-presign-wasm --target wasm32-unknown-unknown --profile wasm-release
//   cp /tmp/$BRANCH/tgt/wasm32-unknown-unknown/wasm-release/oss_presign_wasm.wasm /tmp/$BRANCH/z.wasm
//   git show 3417f75:crates/oss-presign-wasm/js/core.mjs > /tmp/$BRANCH/core_old.mjs
//   node crates/oss-presign-wasm/benches/ab_modules.mjs /tmp/$BRANCH/z.wasm \
//     /tmp/$BRANCH/core_old.mjs=/tmp/$BRANCH/z.wasm crates/oss-presign-wasm/js/oss_presign_wasm.wasm
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
if (args.length === 0) {
  console.error('usage: node ab_modules.mjs [CORE.mjs=]MODULE.wasm...');
  process.exit(2);
}
const options = {
  region: 'cn-hangzhou', bucket: 'examplebucket', key: 'folder/exampleobject.txt',
  accessKeyId: 'STS.NUgYrLnoC37mZZCNnAbez2xxx', accessKeySecret: 'ExampleAccessKeySecret0123456789abcd',
  securityToken: 'CAIS1AJ1q6Ft5B2yfSjIr5fRG.example-security-token', expires: 900,
};
const presigners = [];
for (const arg of args) {
  const [core, wasm] = arg.includes('=') ? arg.split('=') : [new URL('../js/core.mjs', import.meta.url).href, arg];
  const url = core.startsWith('file:') ? core : pathToFileURL(path.resolve(core)).href;
  const { instantiate } = await import(url);
  presigners.push(await instantiate(readFileSync(wasm)));
}
// All of them sign the same URL at the same instant.
const urls = new Set(presigners.map((p) => p.presign({ ...options, signingTime: 1731403676 }).url));
if (urls.size !== 1) throw new Error(`the builds sign different URLs: ${[...urls].join(' ')}`);

const { key, ...shared } = options;
const signers = presigners.map((p) => p.prepare(shared));
const cpu = [];
function measure(run, n) {
  const start = process.hrtime.bigint();
  const startCpu = process.cpuUsage();
  run(n);
  const used = process.cpuUsage(startCpu);
  cpu.push((used.user + used.system) / n);
  return Number(process.hrtime.bigint() - start) / 1e3 / n;
}
function time(p, n) {
  return measure((count) => { for (let i = 0; i < count; i++) p.presign(options); }, n);
}
function timePrepared(signer, n) {
  return measure((count) => { for (let i = 0; i < count; i++) signer.presign(key); }, n);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
presigners.forEach((p, i) => { time(p, 5000); timePrepared(signers[i], 5000); });
const rounds = presigners.map(() => []);
const preparedRounds = presigners.map(() => []);
const cpuRounds = presigners.map(() => []);
const cpuPreparedRounds = presigners.map(() => []);
const count = Number(process.env.AB_ROUNDS ?? 11);
for (let round = 0; round < count; round++) {
  presigners.forEach((p, i) => {
    rounds[i].push(time(p, 5000));
    cpuRounds[i].push(cpu.pop());
    preparedRounds[i].push(timePrepared(signers[i], 5000));
    cpuPreparedRounds[i].push(cpu.pop());
  });
}
args.forEach((arg, i) => console.log(
  `${median(rounds[i]).toFixed(2)} us/presign, ${median(preparedRounds[i]).toFixed(2)} us/prepared presign`
    + ` (CPU ${median(cpuRounds[i]).toFixed(2)}, ${median(cpuPreparedRounds[i]).toFixed(2)})  ${arg}`,
));

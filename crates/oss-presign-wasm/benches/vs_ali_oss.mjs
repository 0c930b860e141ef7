// The WebAssembly presigner against ali-oss's signatureUrlV4 in one Node process, on the same
// request (V4 GET with an STS token, 15 minutes, cn-hangzhou): a prepared presigner
// (prepare(options).presign(key), the headline ratio) and the one-shot presign(options). Not
// run by CI; ali-oss stays outside the repository:
//
//   cargo xtask wasm
//   mkdir -p target/wasm-bench && npm install --prefix target/wasm-bench --no-save ali-oss@6.23.0
//   node crates/oss-presign-wasm/benches/vs_ali_oss.mjs target/wasm-bench/node_modules/ali-oss
//
// Rounds alternate between the two (so a machine busy for a moment slows both), each round
// timing a batch of calls; the figures are medians over rounds, in microseconds per presign.
import { aliOssClient, key, shared } from './ali_oss_request.mjs';
import { presign, prepare } from '../js/index.mjs';

const { client, version: aliVersion } = aliOssClient(process.argv[2], 'vs_ali_oss.mjs');
const options = { ...shared, key };

function sortedQuery(url) {
  const [base, query] = url.split('?');
  return base + '?' + query.split('&').sort().join('&');
}

// Same second, same URL (ali-oss reads its clock inside the call; retry across a tick).
let same = false;
let sample = '';
for (let i = 0; i < 5 && !same; i++) {
  const at = new Date();
  const theirs = await client.signatureUrlV4('GET', 900, {}, key);
  const ours = presign({ ...options, signingTime: at }).url;
  const prepared = prepare({ ...shared, signingTime: at }).presign(key).url;
  same = sortedQuery(theirs) === sortedQuery(ours) && prepared === ours;
  sample = ours;
}

async function timeAli(n) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await client.signatureUrlV4('GET', 900, {}, key);
  return Number(process.hrtime.bigint() - start) / 1e3 / n;
}
function timeWasm(n) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) presign(options);
  return Number(process.hrtime.bigint() - start) / 1e3 / n;
}
const signer = prepare(shared);
function timePrepared(n) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) signer.presign(key);
  return Number(process.hrtime.bigint() - start) / 1e3 / n;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

await timeAli(2000);
timeWasm(20000);
timePrepared(20000);
const ali = [];
const wasm = [];
const prep = [];
for (let round = 0; round < 15; round++) {
  ali.push(await timeAli(2000));
  wasm.push(timeWasm(20000));
  prep.push(timePrepared(20000));
}
const a = median(ali);
const w = median(wasm);
const p = median(prep);
console.log(`node ${process.version}, ali-oss ${aliVersion}`);
console.log(`same URL as ali-oss at the same second: ${same ? 'yes' : 'NO'}`);
console.log(`ali-oss signatureUrlV4: ${a.toFixed(2)} us/presign (median of ${ali.length} rounds of 2000)`);
console.log(`oss-presign-wasm presign(options): ${w.toFixed(2)} us/presign (median of ${wasm.length} rounds of 20000)`);
console.log(`oss-presign-wasm prepare(options).presign(key): ${p.toFixed(2)} us/presign (median of ${prep.length} rounds of 20000)`);
console.log(`ratio, prepared: ${(a / p).toFixed(1)}x; one-shot: ${(a / w).toFixed(1)}x`);
if (!same) {
  console.log(`ours: ${sample}`);
  process.exitCode = 1;
}

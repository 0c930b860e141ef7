// oss-presign-wasm: OSS presigned URLs and POST-policy forms in Node 20+ and browsers,
// byte-identical to the native oss-client crate. The module (oss_presign_wasm.wasm, built by
// `cargo xtask wasm`) is loaded from next to this file when this module is imported.
//
//   import { presign } from './index.mjs';
//   const { url } = presign({ region: 'cn-hangzhou', bucket: 'examplebucket', key: 'a.txt',
//     accessKeyId, accessKeySecret, securityToken, expires: 600 });
//   // many URLs with the same options: prepare once, pass only the key
//   const signer = prepare({ region: 'cn-hangzhou', bucket: 'examplebucket',
//     accessKeyId, accessKeySecret, securityToken, expires: 600 });
//   const urls = keys.map((key) => signer.presign(key).url);
import { createPresigner, instantiate } from './core.mjs';

export { createPresigner, instantiate };

const wasmUrl = new URL('./oss_presign_wasm.wasm', import.meta.url);

async function load() {
  if (wasmUrl.protocol === 'file:') {
    const { readFile } = await import('node:fs/promises');
    let bytes;
    try {
      bytes = await readFile(wasmUrl);
    } catch (e) {
      throw new Error(
        `cannot read ${wasmUrl.pathname} (${e.code || e.message}): build it with \`cargo xtask wasm\``,
      );
    }
    return instantiate(bytes);
  }
  const response = await fetch(wasmUrl);
  if (!response.ok) {
    throw new Error(`cannot fetch ${wasmUrl}: HTTP ${response.status}`);
  }
  const type = response.headers.get('content-type') || '';
  if (typeof WebAssembly.compileStreaming === 'function' && type.startsWith('application/wasm')) {
    return instantiate(await WebAssembly.compileStreaming(response));
  }
  return instantiate(await response.arrayBuffer());
}

const presigner = await load();

/** Presigns one request; see index.d.ts. Throws an Error with the native crate's message. */
export function presign(options) {
  return presigner.presign(options);
}

/**
 * A prepared presigner: the options of presign() but the key (expires, expiration and
 * signingTime are defaults each call may override); see index.d.ts.
 */
export function prepare(options) {
  return presigner.prepare(options);
}

/** Signs a V4 POST policy for a browser form upload; see index.d.ts. */
export function presignPost(options) {
  return presigner.presignPost(options);
}

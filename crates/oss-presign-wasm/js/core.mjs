// The JavaScript side of the oss-presign-wasm module, without any loading: wraps an
// instantiated module (or compiles given bytes) into presign() and presignPost().
// index.mjs loads the module next to it and re-exports these; runtimes that hand out
// WebAssembly modules themselves (edge workers) use createPresigner() directly.

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

function seconds(date, name) {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) {
    throw new TypeError(`${name} is an invalid Date`);
  }
  return Math.floor(ms / 1000);
}

// The options as JSON: the Dates of signingTime and expiration become Unix seconds, an absent
// signingTime the host's clock; everything else is passed as given (the module checks it and
// refuses unknown option names). No JSON.stringify replacer: it would run for every value.
function toJson(options, defaultTime) {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError('the options must be an object');
  }
  const at = options.signingTime;
  const until = options.expiration;
  if (at === undefined || at instanceof Date || until instanceof Date) {
    const o = { ...options };
    o.signingTime = at === undefined ? defaultTime() : at instanceof Date ? seconds(at, 'signingTime') : at;
    if (until instanceof Date) o.expiration = seconds(until, 'expiration');
    return JSON.stringify(o);
  }
  return JSON.stringify(options);
}

function nowSeconds() {
  return Math.floor(Date.now() / 1000);
}

const REQUIRED = ['memory', 'oss_input', 'oss_presign', 'oss_presign_post', 'oss_output_ptr', 'oss_output_len'];

function checked(instance) {
  const ex = instance.exports;
  for (const name of REQUIRED) {
    if (!(name in ex)) {
      throw new Error(`not an oss-presign-wasm module: the export ${name} is missing`);
    }
  }
  return ex;
}

/**
 * Wraps a WebAssembly.Instance of oss_presign_wasm.wasm. A trap inside the module (it aborts
 * instead of unwinding, e.g. when an enormous input exhausts its memory) leaves that instance
 * unusable: with `compiled` (the WebAssembly.Module) a fresh instance replaces it and the call
 * throws an Error saying so; without it every later call throws.
 * @param {WebAssembly.Instance} instance
 * @param {WebAssembly.Module} [compiled]
 */
export function createPresigner(instance, compiled) {
  let ex = checked(instance);
  let broken = null;

  function call(name, options) {
    if (broken) {
      throw new Error(`the WebAssembly module trapped earlier (${broken}); load it again`);
    }
    const bytes = encoder.encode(toJson(options, nowSeconds));
    let status;
    try {
      const ptr = ex.oss_input(bytes.length) >>> 0;
      // After oss_input: the memory may have grown, which replaces memory.buffer.
      new Uint8Array(ex.memory.buffer, ptr, bytes.length).set(bytes);
      status = ex[name]();
    } catch (e) {
      if (!(e instanceof WebAssembly.RuntimeError)) throw e;
      if (compiled) {
        ex = checked(new WebAssembly.Instance(compiled, {}));
        throw new Error(`the WebAssembly module trapped (${e.message}); it was loaded again, retry the call`);
      }
      broken = e.message;
      throw new Error(`the WebAssembly module trapped (${e.message}); load it again`);
    }
    const out = new Uint8Array(ex.memory.buffer, ex.oss_output_ptr() >>> 0, ex.oss_output_len() >>> 0);
    const answer = decoder.decode(out);
    if (status !== 0) {
      throw new Error(answer);
    }
    return JSON.parse(answer);
  }

  return {
    presign(options) {
      const r = call('oss_presign', options);
      return {
        method: r.method,
        url: r.url,
        expiration: new Date(r.expiration * 1000),
        signedHeaders: r.signedHeaders,
      };
    },
    presignPost(options) {
      const r = call('oss_presign_post', options);
      return {
        url: r.url,
        fields: r.fields,
        policy: r.policy,
        expiration: new Date(r.expiration * 1000),
      };
    },
    release() {
      if (typeof ex.oss_release === 'function') ex.oss_release();
    },
  };
}

/**
 * Compiles and instantiates module bytes (or a compiled WebAssembly.Module); the presigner
 * reloads itself from the compiled module after a trap.
 * @param {BufferSource | WebAssembly.Module} source
 */
export async function instantiate(source) {
  const compiled = source instanceof WebAssembly.Module ? source : await WebAssembly.compile(source);
  return createPresigner(await WebAssembly.instantiate(compiled, {}), compiled);
}

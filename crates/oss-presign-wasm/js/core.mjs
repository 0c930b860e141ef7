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

// The fast path of presign(): the options need no rewriting when they hold no Date (the
// module takes the host's clock as an argument when signingTime is absent). A Date goes
// through toJson: JSON.stringify would write it with milliseconds, and an invalid one is a
// TypeError here.
function plainJson(options) {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError('the options must be an object');
  }
  if (options.signingTime instanceof Date || options.expiration instanceof Date) {
    return toJson(options, nowSeconds);
  }
  return JSON.stringify(options);
}

// The module's compact presign answer, EXPIRATION:L1,L2,...;METHODURLNAME1VALUE1... (lengths
// in UTF-16 code units), as presign() returns it; signedHeaders keeps the module's (sorted)
// order, as JSON.parse of the JSON result would.
function fromCompact(answer) {
  const colon = answer.indexOf(':');
  const semi = answer.indexOf(';', colon);
  const lengths = answer.substring(colon + 1, semi).split(',');
  let at = semi + 1;
  const next = (units) => answer.substring(at, (at += units));
  const method = next(+lengths[0]);
  const url = next(+lengths[1]);
  const signedHeaders = {};
  for (let i = 2; i + 1 < lengths.length; i += 2) {
    const name = next(+lengths[i]);
    const value = next(+lengths[i + 1]);
    if (name === '__proto__') {
      Object.defineProperty(signedHeaders, name, { value, writable: true, enumerable: true, configurable: true });
    } else {
      signedHeaders[name] = value;
    }
  }
  return { method, url, expiration: new Date(+answer.substring(0, colon) * 1000), signedHeaders };
}

function nowSeconds() {
  return Math.floor(Date.now() / 1000);
}

const REQUIRED = ['memory', 'oss_input', 'oss_presign_at', 'oss_presign_post', 'oss_output_ptr', 'oss_output_len'];

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
  // A view of the module's memory, made again only when the memory grew (which detaches the
  // old buffer).
  let view = new Uint8Array(ex.memory.buffer);
  const bytesOf = () => (view.buffer === ex.memory.buffer ? view : (view = new Uint8Array(ex.memory.buffer)));

  // Runs one export with the module's answer decoded; a refusal is thrown as an Error.
  function call(run) {
    if (broken) {
      throw new Error(`the WebAssembly module trapped earlier (${broken}); load it again`);
    }
    let status;
    try {
      status = run();
    } catch (e) {
      if (!(e instanceof WebAssembly.RuntimeError)) throw e;
      if (compiled) {
        ex = checked(new WebAssembly.Instance(compiled, {}));
        view = new Uint8Array(ex.memory.buffer);
        throw new Error(`the WebAssembly module trapped (${e.message}); it was loaded again, retry the call`);
      }
      broken = e.message;
      throw new Error(`the WebAssembly module trapped (${e.message}); load it again`);
    }
    const at = ex.oss_output_ptr() >>> 0;
    const answer = decoder.decode(bytesOf().subarray(at, at + (ex.oss_output_len() >>> 0)));
    if (status !== 0) {
      throw new Error(answer);
    }
    return answer;
  }

  return {
    presign(options) {
      const text = plainJson(options);
      return fromCompact(
        call(() => {
          // UTF-8 takes at most 3 bytes per UTF-16 code unit: size the input for that, write
          // the text straight into it and tell the module how much was written.
          const ptr = ex.oss_input(text.length * 3) >>> 0;
          const { written } = encoder.encodeInto(text, bytesOf().subarray(ptr, ptr + text.length * 3));
          // NaN: no host instant, for a null signingTime (refused as missing, as in JSON).
          return ex.oss_presign_at(written, options.signingTime === null ? NaN : nowSeconds());
        }),
      );
    },
    presignPost(options) {
      const bytes = encoder.encode(toJson(options, nowSeconds));
      const r = JSON.parse(
        call(() => {
          const ptr = ex.oss_input(bytes.length) >>> 0;
          bytesOf().set(bytes, ptr);
          return ex.oss_presign_post();
        }),
      );
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

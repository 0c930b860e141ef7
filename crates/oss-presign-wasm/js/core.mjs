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

// Node's Buffer decodes a one-byte (Latin-1) text without TextDecoder's per-call checks; used
// only for answers that are all ASCII (there Latin-1 and UTF-8 agree), and only when it reads a
// test text back right.
const latin1Slice = (() => {
  const slice = globalThis.Buffer && globalThis.Buffer.prototype && globalThis.Buffer.prototype.latin1Slice;
  if (typeof slice !== 'function') return null;
  try {
    return slice.call(new Uint8Array([0x61, 0x3a, 0x7e]), 0, 3) === 'a:~' ? slice : null;
  } catch {
    return null;
  }
})();

// The text of bytes[from, to); `ascii` when every byte is below 0x80.
function textOf(bytes, from, to, ascii) {
  return ascii && latin1Slice !== null ? latin1Slice.call(bytes, from, to) : decoder.decode(bytes.subarray(from, to));
}

// The module's compact presign answer in bytes[from, to): EXPIRATION:L1,L2,...;METHODURLNAME1VALUE1...
// (lengths in UTF-16 code units), as presign() returns it. The numbers are read from the bytes
// and only the strings are decoded, in one piece; signedHeaders keeps the module's (sorted)
// order, as JSON.parse of the JSON result would.
function fromCompact(bytes, from, to) {
  let i = from;
  const negative = bytes[i] === 45;
  if (negative) i++;
  let expiration = 0;
  for (let c = bytes[i++]; c !== 58 && i <= to; c = bytes[i++]) expiration = expiration * 10 + (c - 48);
  if (negative) expiration = -expiration;
  // METHOD,URL[,NAME,VALUE]...: the first two in locals, the headers' in an array.
  let method = -1;
  let url = -1;
  let more = null;
  let units = 0;
  let total = 0;
  // (Bounded by the answer's end, though the module always writes the separators.)
  while (i < to) {
    const c = bytes[i++];
    if (c === 44 || c === 59) {
      if (method < 0) method = units;
      else if (url < 0) url = units;
      else (more || (more = [])).push(units);
      total += units;
      units = 0;
      if (c === 59) break;
    } else {
      units = units * 10 + (c - 48);
    }
  }
  // As many UTF-16 code units as bytes: all ASCII (any other character takes more bytes).
  const body = textOf(bytes, i, to, total === to - i);
  const signedHeaders = {};
  if (more !== null) {
    let at = method + url;
    for (let k = 0; k + 1 < more.length; k += 2) {
      const name = body.substring(at, (at += more[k]));
      const value = body.substring(at, (at += more[k + 1]));
      if (name === '__proto__') {
        Object.defineProperty(signedHeaders, name, { value, writable: true, enumerable: true, configurable: true });
      } else {
        signedHeaders[name] = value;
      }
    }
  }
  return {
    method: body.substring(0, method),
    url: body.substring(method, method + url),
    expiration: new Date(expiration * 1000),
    signedHeaders,
  };
}

function nowSeconds() {
  return Math.floor(Date.now() / 1000);
}

// The per-call options of a prepared presigner; anything else named in a call goes to the
// one-shot presign(), which refuses it as an unknown option.
const CALL = ['expires', 'expiration', 'signingTime'];

// A prepared presigner's direct call (key, signing-time text or null, now, expires,
// expiration), for the one-shot presign()'s cache; not part of the API.
const DIRECT = Symbol('oss-presign-wasm prepared call');

// Whether a text has no lone UTF-16 surrogate: JSON.stringify writes a lone one as an escape
// the module refuses, while encodeInto would replace it with U+FFFD, so a text with one goes
// the JSON way (and is refused as presign() refuses it).
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?:[^\ud800-\udbff]|^)[\udc00-\udfff]/;
const wellFormed =
  typeof String.prototype.isWellFormed === 'function' ? (text) => text.isWellFormed() : (text) => !LONE_SURROGATE.test(text);

// A Date that holds an instant.
const validDate = (v) => v instanceof Date && Number.isFinite(v.getTime());

// A per-call number the module can take as is: a Date as Unix seconds, a safe integer; NaN
// for absent; undefined when only the one-shot path can treat it (text, null, fractions...).
function callNumber(value, name) {
  if (value === undefined) return NaN;
  if (value instanceof Date) return seconds(value, name);
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  return undefined;
}

// Whether a prepared call's options name only the per-call options.
function onlyCallNames(opts) {
  for (const name in opts) {
    if (name !== 'expires' && name !== 'expiration' && name !== 'signingTime') return false;
  }
  return true;
}

const REQUIRED = [
  'memory', 'oss_input', 'oss_presign_at', 'oss_presign_post', 'oss_output_ptr', 'oss_output_len',
  'oss_prepare', 'oss_key_input', 'oss_presign_prepared', 'oss_unprepare',
];

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
  // (A grown memory detaches the old buffer, and a view of a detached buffer has length 0.)
  const bytesOf = () => (view.length !== 0 ? view : (view = new Uint8Array(ex.memory.buffer)));
  // Which instance the prepared handles belong to (a trap replaces it), and the module's key
  // buffer (it only grows; its address holds until it grows or release()).
  let generation = 0;
  let keyPtr = 0;
  let keyCap = 0;
  const keyBuffer = (units) => {
    if (units * 3 > keyCap) {
      keyCap = Math.max(256, units * 3);
      keyPtr = ex.oss_key_input(keyCap) >>> 0;
    }
    return keyPtr;
  };
  const finalizer =
    typeof FinalizationRegistry === 'function'
      ? new FinalizationRegistry(({ handle, gen }) => {
          if (gen === generation) ex.oss_unprepare(handle);
        })
      : null;

  // A trap inside an export: the instance is replaced (with `compiled`) or marked broken, and
  // the call throws.
  function trapped(e) {
    if (!(e instanceof WebAssembly.RuntimeError)) throw e;
    if (compiled) {
      ex = checked(new WebAssembly.Instance(compiled, {}));
      view = new Uint8Array(ex.memory.buffer);
      // The prepared presigners' handles and the key buffer were the old instance's.
      generation++;
      keyCap = 0;
      throw new Error(`the WebAssembly module trapped (${e.message}); it was loaded again, retry the call`);
    }
    broken = e.message;
    throw new Error(`the WebAssembly module trapped (${e.message}); load it again`);
  }
  function notBroken() {
    if (broken) {
      throw new Error(`the WebAssembly module trapped earlier (${broken}); load it again`);
    }
  }

  // The answer of an export that returned `status`: the compact presign result, or the refusal
  // thrown as an Error.
  function compactAnswer(status) {
    const at = ex.oss_output_ptr() >>> 0;
    const end = at + (ex.oss_output_len() >>> 0);
    const bytes = bytesOf();
    if (status !== 0) throw new Error(decoder.decode(bytes.subarray(at, end)));
    return fromCompact(bytes, at, end);
  }

  // Runs one export with the module's answer decoded; a refusal is thrown as an Error.
  function call(run) {
    notBroken();
    let status;
    try {
      status = run();
    } catch (e) {
      trapped(e);
    }
    const at = ex.oss_output_ptr() >>> 0;
    const answer = decoder.decode(bytesOf().subarray(at, at + (ex.oss_output_len() >>> 0)));
    if (status !== 0) {
      throw new Error(answer);
    }
    return answer;
  }

  // Writes `key` (then `text`, when not null) into the module's key buffer; the bytes of the
  // key. ASCII is copied a code unit a byte; the rest through TextEncoder.encodeInto.
  function writeKey(key, text) {
    const n = key.length;
    const ptr = keyBuffer(text === null ? n : n + text.length);
    let bytes = bytesOf();
    let written = 0;
    if (n <= 256) {
      while (written < n) {
        const c = key.charCodeAt(written);
        if (c >= 0x80) break;
        bytes[ptr + written++] = c;
      }
    }
    if (written < n) {
      written += encoder.encodeInto(written === 0 ? key : key.substring(written), bytes.subarray(ptr + written, ptr + keyCap)).written;
    }
    return written;
  }

  // One prepared call: the key written, the numbers passed, the answer read.
  function presignPrepared(h, key, text, now, expires, expiration) {
    notBroken();
    let status;
    try {
      const written = writeKey(key, text);
      let timeLen = -1;
      if (text !== null) {
        timeLen = encoder.encodeInto(text, bytesOf().subarray(keyPtr + written, keyPtr + keyCap)).written;
        now = NaN;
      }
      status = ex.oss_presign_prepared(h, written, timeLen, now, expires, expiration);
    } catch (e) {
      trapped(e);
    }
    return compactAnswer(status);
  }

  // The one-shot presign() through a prepared presigner for its options but the key and the
  // per-call ones, kept while the next call names the same values: no JSON written or read per
  // call. Only for options a prepared call answers exactly as the JSON path does (a plain
  // object whose other values are strings, numbers, booleans or null; numbers, valid Dates or
  // text for the instants); anything else, and options the module refuses to prepare, take
  // the JSON path, which gives the refusal.
  let cachedNames = [];
  let cachedValues = [];
  let cachedSigner = null;
  let cachedFor = -1;
  function viaPrepared(options) {
    const proto = Object.getPrototypeOf(options);
    if (proto !== Object.prototype && proto !== null) return undefined;
    let same = cachedFor === generation;
    let n = 0;
    let t;
    let e;
    let x;
    for (const name in options) {
      const v = options[name];
      if (name === 'key') continue;
      if (name === '__proto__') return undefined;
      if (name === 'signingTime') t = v;
      else if (name === 'expires') e = v;
      else if (name === 'expiration') x = v;
      else {
        const type = typeof v;
        if (v !== null && type !== 'string' && type !== 'number' && type !== 'boolean' && type !== 'undefined') {
          return undefined;
        }
        if (same && (cachedNames[n] !== name || cachedValues[n] !== v)) same = false;
        n++;
      }
    }
    if (n !== cachedNames.length) same = false;
    const key = options.key;
    let now = NaN;
    let text = null;
    if (t === undefined) now = nowSeconds();
    else if (typeof t === 'number' && Number.isSafeInteger(t)) now = t;
    else if (validDate(t)) now = seconds(t, 'signingTime');
    else if (typeof t === 'string' && wellFormed(t)) text = t;
    else return undefined;
    let expires = NaN;
    if (typeof e === 'number' && Number.isSafeInteger(e)) expires = e;
    else if (e !== undefined) return undefined;
    let expiration = NaN;
    if (typeof x === 'number' && Number.isSafeInteger(x)) expiration = x;
    else if (validDate(x)) expiration = seconds(x, 'expiration');
    else if (x !== undefined) return undefined;
    if (!wellFormed(key)) return undefined;
    if (!same) {
      const rest = Object.create(null);
      cachedNames = [];
      cachedValues = [];
      for (const name in options) {
        if (name === 'key' || name === 'signingTime' || name === 'expires' || name === 'expiration') continue;
        rest[name] = options[name];
        cachedNames.push(name);
        cachedValues.push(options[name]);
      }
      if (cachedSigner !== null) cachedSigner.close();
      cachedSigner = null;
      cachedFor = -1;
      const before = generation;
      try {
        cachedSigner = prepare(rest);
      } catch (err) {
        // A trap is thrown as it is; a refusal is the JSON path's to word.
        if (broken || generation !== before) throw err;
      }
      cachedFor = generation;
    }
    if (cachedSigner === null) return undefined;
    return cachedSigner[DIRECT](key, text, now, expires, expiration);
  }

  const api = {
    presign(options) {
      if (options !== null && typeof options === 'object' && typeof options.key === 'string') {
        const result = viaPrepared(options);
        if (result !== undefined) return result;
      }
      const text = plainJson(options);
      notBroken();
      let status;
      try {
        // UTF-8 takes at most 3 bytes per UTF-16 code unit: size the input for that, write
        // the text straight into it and tell the module how much was written.
        const ptr = ex.oss_input(text.length * 3) >>> 0;
        const { written } = encoder.encodeInto(text, bytesOf().subarray(ptr, ptr + text.length * 3));
        // NaN: no host instant, for a null signingTime (refused as missing, as in JSON).
        status = ex.oss_presign_at(written, options.signingTime === null ? NaN : nowSeconds());
      } catch (e) {
        trapped(e);
      }
      return compactAnswer(status);
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
      keyCap = 0;
    },
    prepare(options) {
      return prepare(options);
    },
  };

  // A prepared presigner: the options but the key and the per-call ones are sent to the
  // module once; each presign(key, opts) writes the key with encodeInto and passes numbers.
  function prepare(options) {
    if (options === null || typeof options !== 'object' || Array.isArray(options)) {
      throw new TypeError('the options must be an object');
    }
    if ('key' in options) {
      throw new TypeError('prepare() takes no key: pass it to presign(key)');
    }
    // Null-prototype copies: an own `__proto__` option is kept as a field (and refused by the
    // module as presign() refuses it), not taken for the copy's prototype.
    const rest = Object.create(null);
    const defaults = {};
    for (const name of Object.keys(options)) {
      if (CALL.includes(name)) defaults[name] = options[name];
      else rest[name] = options[name];
    }
    const json = JSON.stringify(rest);
    let handle = 0;
    let gen = -1;
    let closed = false;
    const token = {};
    // The handle in the current instance, prepared again after a trap replaced it.
    const ensure = () => {
      if (closed) throw new Error('this prepared presigner was closed');
      if (gen === generation) return handle;
      call(() => {
        const bytes = encoder.encode(json);
        const ptr = ex.oss_input(bytes.length) >>> 0;
        bytesOf().set(bytes, ptr);
        handle = ex.oss_prepare();
        // 0: refused, the message is in the output (thrown by call()).
        return handle === 0 ? 1 : 0;
      });
      gen = generation;
      if (finalizer) finalizer.register(token, { handle, gen }, token);
      return handle;
    };
    ensure();
    // The one-shot path for what the module cannot take as numbers (text instants, nulls,
    // fractions, unknown per-call names): the same options as one object, the same answer.
    const oneShot = (key, opts) => {
      const o = { ...rest, key };
      for (const name of CALL) {
        const v = opts && opts[name] !== undefined ? opts[name] : defaults[name];
        if (v !== undefined) o[name] = v;
      }
      if (opts) {
        for (const name in opts) if (!CALL.includes(name)) o[name] = opts[name];
      }
      return api.presign(o);
    };
    // The defaults as the module takes them, when they are plain numbers (or absent) and no
    // signingTime is given: then presign(key) alone only reads the host's clock. (A Date is
    // read at each call, as it may change in between.)
    const plain = (v) => v === undefined || (typeof v === 'number' && Number.isSafeInteger(v));
    const fast = plain(defaults.expires) && plain(defaults.expiration) && defaults.signingTime === undefined;
    const fastExpires = defaults.expires === undefined ? NaN : defaults.expires;
    const fastExpiration = defaults.expiration === undefined ? NaN : defaults.expiration;
    return {
      presign(key, opts) {
        if (closed) throw new Error('this prepared presigner was closed');
        if (opts === undefined && fast && typeof key === 'string' && wellFormed(key)) {
          return presignPrepared(gen === generation ? handle : ensure(), key, null, nowSeconds(), fastExpires, fastExpiration);
        }
        if (opts !== undefined && (opts === null || typeof opts !== 'object' || !onlyCallNames(opts))) {
          if (opts === null || typeof opts !== 'object') throw new TypeError('the call options must be an object');
          return oneShot(key, opts);
        }
        if (typeof key !== 'string' || !wellFormed(key)) return oneShot(key, opts);
        const e = opts && opts.expires !== undefined ? opts.expires : defaults.expires;
        const x = opts && opts.expiration !== undefined ? opts.expiration : defaults.expiration;
        const t = opts && opts.signingTime !== undefined ? opts.signingTime : defaults.signingTime;
        // In presign()'s order: an invalid signingTime Date is refused before an invalid
        // expiration; an `expires` Date is the JSON path's to refuse.
        const now = t === undefined ? nowSeconds() : callNumber(t, 'signingTime');
        const expires = e instanceof Date ? undefined : callNumber(e, 'expires');
        const expiration = callNumber(x, 'expiration');
        if (typeof t === 'string' && !wellFormed(t)) return oneShot(key, opts);
        const text = typeof t === 'string' ? t : null;
        if (expires === undefined || expiration === undefined || (now === undefined && text === null)) {
          return oneShot(key, opts);
        }
        return presignPrepared(ensure(), key, text, now, expires, expiration);
      },
      [DIRECT](key, text, now, expires, expiration) {
        return presignPrepared(ensure(), key, text, now, expires, expiration);
      },
      /** Frees the module's copy of the options (presign() throws from then on). */
      close() {
        if (!closed && gen === generation) ex.oss_unprepare(handle);
        if (finalizer) finalizer.unregister(token);
        closed = true;
      },
    };
  }

  return api;
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

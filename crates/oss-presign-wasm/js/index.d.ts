// Types of index.mjs (and core.mjs). Every option name is checked: an unknown one is an error.

/** An instant: a Date, Unix seconds, or `YYYY-MM-DDTHH:MM:SSZ`. */
export type Instant = Date | number | string;

/** Where the bucket is and how the URL is written (the options of oss-client's Config). */
export interface EndpointOptions {
  /** Region id, e.g. `cn-hangzhou` (the V4 scope region). */
  region?: string;
  /** `host[:port]`, with or without `http://`/`https://`; default `oss-<region>.aliyuncs.com`. */
  endpoint?: string;
  /** Path-style URLs (`https://host/bucket/key`). */
  pathStyle?: boolean;
  /** The endpoint is a custom domain bound to the bucket. */
  cname?: boolean;
  /** The internal endpoint `oss-<region>-internal.aliyuncs.com`. */
  internalEndpoint?: boolean;
  /** The accelerate endpoint `oss-accelerate.aliyuncs.com`. */
  accelerateEndpoint?: boolean;
  /** The dual-stack endpoint `<region>.oss.aliyuncs.com`. */
  dualstackEndpoint?: boolean;
  /** `http` instead of `https`. */
  disableSsl?: boolean;
}

/** The signer: an AccessKey pair or STS credentials, and the signing instant. */
export interface SignerOptions {
  accessKeyId: string;
  accessKeySecret: string;
  /** STS security token. */
  securityToken?: string;
  /** The signing instant; default: the host's clock (`Date.now()`). */
  signingTime?: Instant;
  /** Validity in seconds from the signing instant (V4: at most 604800); default 900. */
  expires?: number;
  /** Absolute end of validity; wins over `expires`. */
  expiration?: Instant;
}

export interface PresignOptions extends EndpointOptions, SignerOptions {
  bucket: string;
  key: string;
  /** HTTP method (any case); default GET. Not together with `op`. */
  method?: string;
  /** A typed operation, as `oss-presign url --op`. */
  op?: 'get' | 'put' | 'head' | 'initiate-multipart' | 'upload-part' | 'complete-multipart' | 'abort-multipart';
  /** For op upload-part, complete-multipart and abort-multipart. */
  uploadId?: string;
  /** For op upload-part (1 to 10000). */
  partNumber?: number;
  /** Request headers the URL is signed for (`x-oss-*`, Content-Type, Content-MD5 are signed). */
  headers?: Record<string, string>;
  /** Query parameters, raw values; `""` or `null`: a parameter without a value. */
  query?: Record<string, string | null>;
  /** V4: further header names to sign. */
  additionalHeaders?: string[];
  /** `"v4"` (default) or `"v1"`. */
  signatureVersion?: 'v4' | 'v1';
}

export interface PresignResult {
  /** The HTTP method, upper case. */
  method: string;
  /** The presigned URL; use it as is. */
  url: string;
  /** When the URL stops being valid (whole seconds). */
  expiration: Date;
  /** Every header the signature covers (lower-case name → value): send exactly these. */
  signedHeaders: Record<string, string>;
}

/** A policy condition in the policy's own JSON shapes. */
export type PostCondition =
  | Record<string, string>
  | ['eq' | 'starts-with', string, string]
  | ['in' | 'not-in', string, string[]]
  | ['content-length-range', number, number];

export interface PresignPostOptions extends EndpointOptions, SignerOptions {
  bucket: string;
  /** The object key must be exactly this. */
  key?: string;
  /** The object key must start with this (the form's `key` field holds it). */
  keyPrefix?: string;
  /** The file must be min..=max bytes. */
  contentLengthRange?: [number, number];
  /** Sent as the `Content-Type` field and pinned in the policy. */
  contentType?: string;
  /** `x-oss-meta-<name>` fields, pinned in the policy. */
  meta?: Record<string, string>;
  /** 200, 201 or 204. */
  successActionStatus?: number;
  /** Further conditions. */
  conditions?: PostCondition[];
  /** A policy document (JSON text) signed byte for byte instead of building one. */
  policy?: string;
}

export interface PresignPostResult {
  /** Where to POST the form (`https://<bucket>.<endpoint>/`). */
  url: string;
  /** `[name, value]` in sending order; append the file last, as the field `file`. */
  fields: Array<[string, string]>;
  /** The signed policy document (JSON). */
  policy: string;
  expiration: Date;
}

/**
 * The options of a prepared presigner: those of `presign()` but `key`. `expires`,
 * `expiration` and `signingTime` given here are defaults that each call may override.
 */
export type PrepareOptions = Omit<PresignOptions, 'key'>;

/** The per-call options of a prepared presigner (each overrides the prepared default). */
export interface PresignCallOptions {
  /** Validity in seconds from the signing instant. */
  expires?: number;
  /** Absolute end of validity; wins over `expires`. */
  expiration?: Instant;
  /** The signing instant; default: the host's clock (`Date.now()`). */
  signingTime?: Instant;
}

/**
 * Options read once, kept in the module with their checked credentials, their endpoint and
 * the day's signing key. `presign(key)` gives exactly what `presign({...options, key})`
 * gives, refusals included (thrown as an Error with the native message), several times faster.
 */
export interface PreparedPresigner {
  presign(key: string, options?: PresignCallOptions): PresignResult;
  /** Frees the module's copy of the options; `presign` throws afterwards. (A presigner that is
   * garbage-collected is freed too.) */
  close(): void;
}

export interface Presigner {
  presign(options: PresignOptions): PresignResult;
  /** A prepared presigner on this module instance (see `prepare`). */
  prepare(options: PrepareOptions): PreparedPresigner;
  presignPost(options: PresignPostOptions): PresignPostResult;
  /** Frees the module's input and output buffers. */
  release(): void;
}

/**
 * Presigns one request. Throws an Error whose message is the native crate's. Calls whose
 * options differ only in `key`, `expires`, `expiration` and `signingTime` (plain objects whose
 * other values are strings, numbers, booleans or null) sign through one prepared presigner,
 * kept for the last such options: the same answers, without JSON per call.
 */
export function presign(options: PresignOptions): PresignResult;
/**
 * Prepares a presigner for many keys with the same options. Malformed options (unknown
 * names, wrong types) throw here; everything else is checked per call, as `presign()` does.
 * A `key` in the options is a TypeError.
 */
export function prepare(options: PrepareOptions): PreparedPresigner;
/** Signs a V4 POST policy for a browser form upload (PostObject). */
export function presignPost(options: PresignPostOptions): PresignPostResult;
/**
 * Wraps an already instantiated module (runtimes that load .wasm themselves). With `compiled`,
 * a trap in the module (an enormous input exhausting its memory) is followed by a fresh
 * instance; without it the presigner throws from then on.
 */
export function createPresigner(instance: WebAssembly.Instance, compiled?: WebAssembly.Module): Presigner;
/** Compiles and instantiates the module's bytes or a compiled module. */
export function instantiate(source: BufferSource | WebAssembly.Module): Promise<Presigner>;

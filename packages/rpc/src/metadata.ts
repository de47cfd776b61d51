import { RpcUsageError } from './errors.js';

/** A metadata value: text, or bytes for keys ending in `-bin` (base64 on gRPC's wire). */
export type MetadataValue = string | Uint8Array;

/** Metadata as callers write it: a plain object, arrays for repeated keys. */
export type MetadataInit = Record<string, MetadataValue | MetadataValue[]>;

/** Keys a caller may not set: the transport owns them (gRPC PROTOCOL-HTTP2, "Reserved headers"). */
const RESERVED = new Set(['content-type', 'te', 'user-agent', 'content-length', 'host', 'connection']);

const KEY = /^[0-9a-z_.-]+$/;
// gRPC: ASCII-Value → 1*( %x20-%x7E ) (space and printable ASCII); HTTP/2 (RFC 9113 §8.2.1)
// further forbids a space at either end, which every HTTP/2 peer refuses as malformed.
const ASCII_VALUE = /^(?:[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?)?$/;

/**
 * Call metadata (gRPC "custom metadata"): request headers, response headers and trailers. Keys are
 * lower-case `[0-9a-z_.-]`; values are printable ASCII text, or bytes when the key ends in `-bin`.
 * Keys starting with `grpc-` and the transport's own headers are reserved.
 */
export class Metadata {
  readonly #map = new Map<string, MetadataValue[]>();

  /** @throws {RpcUsageError} `RPC_ERR_INVALID_METADATA` for an invalid key or value (see {@link Metadata.set}). */
  constructor(init?: MetadataInit) {
    if (init !== undefined) {
      for (const key of Object.keys(init)) {
        const value = init[key]!;
        if (Array.isArray(value)) for (const v of value) this.add(key, v);
        else this.add(key, value);
      }
    }
  }

  /** The first value of `key`, or undefined. */
  get(key: string): MetadataValue | undefined {
    return this.#map.get(key.toLowerCase())?.[0];
  }

  /** Every value of `key`, in order. */
  getAll(key: string): MetadataValue[] {
    return [...(this.#map.get(key.toLowerCase()) ?? [])];
  }

  /** Whether `key` has a value. */
  has(key: string): boolean {
    return this.#map.has(key.toLowerCase());
  }

  /**
   * Replace the values of `key` with `value`.
   * @throws {RpcUsageError} `RPC_ERR_INVALID_METADATA` for an invalid or reserved key, a non-ASCII text value, or bytes
   *   under a key that does not end in `-bin`.
   */
  set(key: string, value: MetadataValue): this {
    const k = checkEntry(key, value);
    this.#map.set(k, [value]);
    return this;
  }

  /** Add a value to `key`. @throws {RpcUsageError} `RPC_ERR_INVALID_METADATA`, as {@link Metadata.set}. */
  add(key: string, value: MetadataValue): this {
    const k = checkEntry(key, value);
    const values = this.#map.get(k);
    if (values === undefined) this.#map.set(k, [value]);
    else values.push(value);
    return this;
  }

  /** Remove `key`. */
  delete(key: string): void {
    this.#map.delete(key.toLowerCase());
  }

  /** Number of keys. */
  get size(): number {
    return this.#map.size;
  }

  /** The keys, each once. */
  keys(): IterableIterator<string> {
    return this.#map.keys();
  }

  /** `[key, value]` pairs, repeated keys once per value. */
  *entries(): IterableIterator<[string, MetadataValue]> {
    for (const [key, values] of this.#map) for (const v of values) yield [key, v];
  }

  /** A plain object (arrays only where a key repeats). */
  toObject(): MetadataInit {
    const out: MetadataInit = {};
    for (const [key, values] of this.#map) out[key] = values.length === 1 ? values[0]! : [...values];
    return out;
  }

  /** A copy. */
  clone(): Metadata {
    const copy = new Metadata();
    for (const [key, values] of this.#map) copy.#map.set(key, [...values]);
    return copy;
  }

  /** Add every entry of `other`. */
  merge(other: Metadata): this {
    for (const [key, value] of other.entries()) this.add(key, value);
    return this;
  }

  /** @internal add an entry that came off the wire, already validated by {@link acceptEntry}. */
  _addTrusted(key: string, value: MetadataValue): void {
    const values = this.#map.get(key);
    if (values === undefined) this.#map.set(key, [value]);
    else values.push(value);
  }
}

/** A Metadata that refuses changes: shared wherever a call has none (saves a Map per call). */
class EmptyMetadata extends Metadata {
  override set(key: string): this {
    throw new RpcUsageError('RPC_ERR_INVALID_STATE', `cannot set ${key}: this metadata is read-only`);
  }
  override add(key: string): this {
    throw new RpcUsageError('RPC_ERR_INVALID_STATE', `cannot add ${key}: this metadata is read-only`);
  }
  override _addTrusted(key: string): void {
    throw new RpcUsageError('RPC_ERR_INVALID_STATE', `cannot add ${key}: this metadata is read-only`);
  }
}

/** The shared, read-only empty Metadata. @internal */
export const EMPTY_METADATA: Metadata = new EmptyMetadata();

/** Coerce a caller's `Metadata | MetadataInit | undefined` to Metadata (`mutable`: never the shared empty one). */
export function toMetadata(init: Metadata | MetadataInit | undefined, mutable = true): Metadata {
  if (init === undefined) return mutable ? new Metadata() : EMPTY_METADATA;
  return init instanceof Metadata ? init : new Metadata(init);
}

function checkEntry(key: string, value: MetadataValue): string {
  const k = key.toLowerCase();
  if (!KEY.test(k) || k.startsWith('grpc-') || RESERVED.has(k)) {
    throw new RpcUsageError(
      'RPC_ERR_INVALID_METADATA',
      `invalid or reserved metadata key ${JSON.stringify(key)}`,
    );
  }
  if (k.endsWith('-bin')) {
    if (!(value instanceof Uint8Array) && typeof value !== 'string') {
      throw new RpcUsageError(
        'RPC_ERR_INVALID_METADATA',
        `metadata ${k}: a -bin value must be bytes or a string`,
      );
    }
  } else if (typeof value !== 'string' || !ASCII_VALUE.test(value)) {
    throw new RpcUsageError(
      'RPC_ERR_INVALID_METADATA',
      `metadata ${k}: value must be printable ASCII text with no space at either end`,
    );
  }
  return k;
}

/** Whether a text value received from a peer is valid: printable ASCII, no space at either end. */
export function isTextValue(value: string): boolean {
  return ASCII_VALUE.test(value);
}

/**
 * Whether a key received from a peer is custom metadata to hand to the application (reserved keys
 * and malformed ones are dropped, as gRPC implementations do).
 */
export function isCustomKey(key: string): boolean {
  // Cheap rejections first: most received keys are reserved ones (content-type, grpc-*).
  return !key.startsWith('grpc-') && !RESERVED.has(key) && KEY.test(key);
}

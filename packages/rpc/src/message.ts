/**
 * A message's way between the codec and the wire, the same on client and server: encode or decode
 * with the size limit checked, and inbound messages kept in arrival order while some of them are
 * being gunzipped.
 * Internal to the package (the entry points export only what their users need of it).
 */
import type { MessageCodec } from './codec.js';
import { gunzip } from './compression.js';
import { RpcError, toRpcError } from './errors.js';
import { Status } from './status.js';

/** `'request'` or `'response'`: which message, for error texts. */
export type MessageRole = 'request' | 'response';

/** @throws {RpcError} `INTERNAL` when the codec fails, `RESOURCE_EXHAUSTED` over `limit`. */
export function encodeChecked(
  codec: MessageCodec,
  value: unknown,
  limit: number,
  role: MessageRole,
): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = codec.encode(value);
  } catch (err) {
    throw new RpcError(Status.INTERNAL, `could not encode the ${role}: ${String(err)}`, { cause: err });
  }
  checkSize(bytes, limit, role);
  return bytes;
}

/** @throws {RpcError} `RESOURCE_EXHAUSTED` over `limit`, `INTERNAL` when the codec cannot decode. */
export function decodeChecked(
  codec: MessageCodec,
  bytes: Uint8Array,
  limit: number,
  role: MessageRole,
): unknown {
  checkSize(bytes, limit, role);
  try {
    return codec.decode(bytes);
  } catch (err) {
    throw new RpcError(Status.INTERNAL, `could not decode the ${role}: ${String(err)}`, { cause: err });
  }
}

function checkSize(bytes: Uint8Array, limit: number, role: MessageRole): void {
  if (bytes.length > limit) {
    throw new RpcError(
      Status.RESOURCE_EXHAUSTED,
      `${role} message of ${bytes.length} bytes exceeds the limit of ${limit}`,
    );
  }
}

/**
 * Inbound messages and what follows them (half-close, status), in arrival order. Synchronous until
 * the first compressed message; from then on each step waits for the ones before it.
 */
export class InboundOrder {
  #chain: Promise<void> | undefined;
  readonly #limit: number;
  readonly #over: () => boolean;
  readonly #fail: (error: RpcError) => void;

  /**
   * @param limit largest message once inflated
   * @param over whether the call already ended (steps still queued are then skipped)
   * @param fail ends the call with a failed step's error
   */
  constructor(limit: number, over: () => boolean, fail: (error: RpcError) => void) {
    this.#limit = limit;
    this.#over = over;
    this.#fail = fail;
  }

  /** Hand `bytes` (inflated first if `compressed`) to `deliver`, after everything queued before. */
  message(bytes: Uint8Array, compressed: boolean, deliver: (bytes: Uint8Array) => void): void {
    if (!compressed && this.#chain === undefined) {
      this.#run(() => deliver(bytes));
      return;
    }
    const limit = this.#limit;
    this.#queue(async () => deliver(compressed ? await gunzip(bytes, limit) : bytes));
  }

  /** Run `step` after every message queued so far. */
  after(step: () => void): void {
    if (this.#chain === undefined) this.#run(step);
    else this.#queue(step);
  }

  #run(step: () => void): void {
    if (this.#over()) return;
    try {
      step();
    } catch (err) {
      this.#fail(toRpcError(err));
    }
  }

  #queue(step: () => void | Promise<void>): void {
    this.#chain = (this.#chain ?? Promise.resolve()).then(async () => {
      if (this.#over()) return;
      try {
        await step();
      } catch (err) {
        this.#fail(toRpcError(err));
      }
    });
  }
}

import type { TransportKind } from './client-types.js';
import type { CallScope } from './deadline.js';
import { EMPTY_METADATA, Metadata, type MetadataValue } from './metadata.js';
import type { MethodKind } from './service.js';
import { type MessageCounts, newMessageCounts } from './tracing.js';

const NOTHING = () => {};

/** What a handler (and a server interceptor) knows about its call. */
export class ServerCallContext implements CallScope {
  /** Full service name. */
  readonly service: string;
  /** Method name. */
  readonly method: string;
  /** `/<service>/<method>`. */
  readonly path: string;
  readonly kind: MethodKind;
  /** Request metadata. */
  readonly metadata: Metadata;
  /** Epoch ms by which the call must end, or undefined. Outgoing calls made inside the handler inherit it. */
  readonly deadline: number | undefined;
  readonly #transport: { readonly peer: string; readonly transport: TransportKind };
  #responseHeaders: Metadata | undefined;
  #responseTrailers: Metadata | undefined;
  #controller: AbortController | undefined;
  #abortReason: unknown;
  #aborted = false;
  /** What outgoing calls made inside the handler registered to hear of the cancellation. */
  #cancelListeners: Set<() => void> | undefined;
  /** Messages and their bytes on the wire (compressed size when compressed), each way, so far. */
  readonly messages: MessageCounts = newMessageCounts();
  /** @internal set by the call as the handler receives each request message. */
  _requestCompressed = false;
  /** @internal the handler's compression choice; undefined: the server's threshold. */
  _compress: boolean | undefined;

  /** @internal */
  constructor(
    service: string,
    method: string,
    path: string,
    kind: MethodKind,
    metadata: Metadata,
    deadline: number | undefined,
    transport: { readonly peer: string; readonly transport: TransportKind },
  ) {
    this.service = service;
    this.method = method;
    this.path = path;
    this.kind = kind;
    this.metadata = metadata;
    this.deadline = deadline;
    this.#transport = transport;
  }

  /** The transport the call came over. */
  get transport(): TransportKind {
    return this.#transport.transport;
  }

  /** `host:port` of the client (asked of the transport when read: most handlers never do). */
  get peer(): string {
    return this.#transport.peer;
  }

  /** Response headers to send (before the first response message). */
  get responseHeaders(): Metadata {
    this.#responseHeaders ??= new Metadata();
    return this.#responseHeaders;
  }

  /** Trailers to send with the status. */
  get responseTrailers(): Metadata {
    this.#responseTrailers ??= new Metadata();
    return this.#responseTrailers;
  }

  /** @internal headers to send: the shared empty Metadata when none were set. */
  _headersToSend(): Metadata {
    return this.#responseHeaders ?? EMPTY_METADATA;
  }

  /** @internal trailers to send; with `withHeaders` (Trailers-Only) the headers join them. */
  _trailersToSend(withHeaders: boolean): Metadata {
    const headers = withHeaders ? this.#responseHeaders : undefined;
    if (headers === undefined) return this.#responseTrailers ?? EMPTY_METADATA;
    return this.responseTrailers.merge(headers);
  }

  /** Aborts when the call is cancelled by the client, its deadline passes, or the server closes. */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#abortReason);
    }
    return this.#controller.signal;
  }

  /** Whether the call was cancelled (by the client, the deadline or the server closing). */
  get cancelled(): boolean {
    return this.#aborted;
  }

  /**
   * Whether the request message the handler received last came gzip-compressed (for a streaming
   * request: the one its iteration yielded last).
   */
  get requestCompressed(): boolean {
    return this._requestCompressed;
  }

  /**
   * Gzip the response messages sent from now on (`true`), send them uncompressed (`false`), or go
   * back to the server's `compression` threshold (`undefined`). A client that does not accept gzip
   * always gets them uncompressed.
   */
  setCompression(compress: boolean | undefined): void {
    this._compress = compress;
  }

  /** Set a response header (sent with the first response message, or with the status). */
  setHeader(key: string, value: MetadataValue): void {
    this.responseHeaders.set(key, value);
  }

  /** Set a trailer (sent with the status). */
  setTrailer(key: string, value: MetadataValue): void {
    this.responseTrailers.set(key, value);
  }

  /**
   * Call `listener` when this call is cancelled (by the client, the deadline or the server closing),
   * at once if it already is; the returned function unregisters it. Outgoing calls made inside the
   * handler use this to be cancelled with it.
   */
  onCancel(listener: () => void): () => void {
    if (this.#aborted) {
      listener();
      return NOTHING;
    }
    this.#cancelListeners ??= new Set();
    const listeners = this.#cancelListeners;
    listeners.add(listener);
    return () => listeners.delete(listener);
  }

  /** @internal listeners of {@link onCancel} still registered (for tests). */
  get _cancelListeners(): number {
    return this.#cancelListeners?.size ?? 0;
  }

  /** @internal */
  _abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#abortReason = reason;
    this.#controller?.abort(reason);
    const listeners = this.#cancelListeners;
    this.#cancelListeners = undefined;
    if (listeners !== undefined) for (const listener of listeners) listener();
  }
}

/**
 * `diagnostics_channel.tracingChannel`s for client and server calls, the convention Node and undici
 * use for tracers (OpenTelemetry's among them): `tracing:weft:rpc:client:*` and
 * `tracing:weft:rpc:server:*`, each with `start`, `end`, `asyncStart`, `asyncEnd` and `error`.
 * Nothing is built or published while nobody subscribes.
 *
 * The context object is the same from `start` to `asyncEnd`, so a subscriber may keep its own
 * fields on it (a span). On the client `start` comes before anything is sent and `metadata` may be
 * added to (a `traceparent`); on the server `start` comes before the handler runs.
 */
import type { RpcError } from './errors.js';
import type { Metadata } from './metadata.js';
import { INERT_TRACING, onRuntime, type TracingPublisher } from './runtime-hooks.js';
import type { MethodKind } from './service.js';
import { Status } from './status.js';

/** What a traced call's subscribers see. */
export interface CallTraceContext {
  service: string;
  method: string;
  /** `/<service>/<method>`. */
  path: string;
  kind: MethodKind;
  /** Request metadata: on the client still open to additions at `start`. */
  metadata: Metadata;
  /** Epoch ms, or undefined. */
  deadline: number | undefined;
  /** Server side: `host:port` of the client. */
  peer?: string;
  /** Set at the end: the status code (0 = OK). */
  code?: Status;
  /** Set on failure (before `error` is published). */
  error?: RpcError;
  /** Set at the end: messages and their bytes as sent and received (compressed size when compressed). */
  messagesSent?: number;
  bytesSent?: number;
  messagesReceived?: number;
  bytesReceived?: number;
}

// Inert until the runtime provides its channels (Node's adapter does on import; a browser never).
export let clientCalls: TracingPublisher = INERT_TRACING;
export let serverCalls: TracingPublisher = INERT_TRACING;

onRuntime((hooks) => {
  clientCalls = hooks.tracingChannel('weft:rpc:client');
  serverCalls = hooks.tracingChannel('weft:rpc:server');
});

/** Messages of one call and their bytes on the wire (compressed size when compressed), each way. */
export interface MessageCounts {
  messagesSent: number;
  bytesSent: number;
  messagesReceived: number;
  bytesReceived: number;
  /**
   * Set by an interceptor to see each message as it is sent or received, with its bytes on the
   * wire (OpenTelemetry's message events use it). Undefined unless set.
   */
  onMessage: ((direction: 'sent' | 'received', bytes: number) => void) | undefined;
}

/** Fresh counts for a call. @internal */
export function newMessageCounts(): MessageCounts {
  return { messagesSent: 0, bytesSent: 0, messagesReceived: 0, bytesReceived: 0, onMessage: undefined };
}

/** Publish the end of a traced call: `error` (on failure), `asyncStart`, `asyncEnd`. @internal */
export function traceEnd(
  channel: typeof clientCalls,
  context: CallTraceContext,
  error: RpcError | undefined,
  counts: MessageCounts,
): void {
  context.messagesSent = counts.messagesSent;
  context.bytesSent = counts.bytesSent;
  context.messagesReceived = counts.messagesReceived;
  context.bytesReceived = counts.bytesReceived;
  context.code = error?.code ?? Status.OK;
  if (error !== undefined) {
    context.error = error;
    channel.error.publish(context);
  }
  channel.asyncStart.publish(context);
  channel.asyncEnd.publish(context);
}

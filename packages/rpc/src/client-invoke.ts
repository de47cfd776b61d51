/**
 * One method of a client: what a call of it does — metadata, deadline (its own, or the enclosing
 * handler's), tracing, the interceptor chain, and the call itself on the channel.
 */
import type { MethodInfo } from './call.js';
import type { Channel } from './channel/channel.js';
import { type CallOptions, ClientCall } from './client-call.js';
import type { ClientCallContext, ClientInterceptor, TransportKind } from './client-types.js';
import { callScope, effectiveDeadline } from './deadline.js';
import { RpcError } from './errors.js';
import { activeInterceptors, runInterceptors } from './interceptors.js';
import { type Metadata, toMetadata } from './metadata.js';
import { loadProtobuf, protobufRuntime } from './protobuf/runtime.js';
import type { MethodCodecs, MethodKind } from './service.js';
import { Status } from './status.js';
import { clientCalls } from './tracing.js';

/** Everything a method's calls share. */
export interface MethodSetup {
  service: string;
  method: string;
  info: MethodInfo;
  codecs: MethodCodecs;
  channel: Channel;
  /** A protobuf service: its calls wait for the protobuf runtime to load. */
  proto: boolean;
  compressAt: number;
  interceptors: readonly ClientInterceptor[];
  defaultTimeoutMs: number | undefined;
  transport: TransportKind;
}

/** The function a client exposes for one method. */
export function methodInvoker(m: MethodSetup): (input: unknown, callOptions?: CallOptions) => unknown {
  return (input: unknown, callOptions: CallOptions = {}): unknown => {
    // A caller's mistake (a reserved key, a value that is not ASCII): RpcUsageError, thrown here.
    // Interceptors may add to the metadata; without them a call with none shares one empty instance.
    // Tracing subscribers may add to the metadata too (a traceparent).
    const traced = clientCalls.hasSubscribers;
    const interceptors = activeInterceptors(m.interceptors);
    const metadata: Metadata = toMetadata(callOptions.metadata, interceptors.length > 0 || traced);
    const call = new ClientCall(m.info, m.codecs, m.channel, callOptions, m.compressAt);
    const scope = callScope.getStore();
    const deadline = effectiveDeadline(
      callOptions.timeoutMs ?? (scope === undefined ? m.defaultTimeoutMs : undefined),
      callOptions.deadline,
      scope?.deadline,
    );
    if (scope !== undefined) {
      // The enclosing handler's cancellation cancels this call; the link goes when the call ends.
      const unlink = scope.onCancel(() => call.cancel());
      call.done.then(unlink, unlink);
    }
    if (traced) {
      const context = {
        service: m.service,
        method: m.method,
        path: m.info.path,
        kind: m.info.kind,
        metadata,
        deadline,
      };
      clientCalls.start.publish(context);
      call.trace(context);
      clientCalls.end.publish(context);
    }

    const run = (request: unknown): Promise<unknown> => {
      if (m.proto && protobufRuntime() === undefined) {
        // A protobuf service's first calls wait for the protobuf runtime (a few microtasks).
        loadProtobuf().then(
          () => run(request),
          (err: unknown) =>
            call.fail(new RpcError(Status.INTERNAL, `could not load @bufbuild/protobuf: ${err}`)),
        );
        return call.done;
      }
      call.start(metadata, deadline);
      if (m.info.kind === 'unary' || m.info.kind === 'serverStream') call.send(request, true);
      else void call.pump(request as AsyncIterable<unknown> | Iterable<unknown>);
      return call.done;
    };
    if (interceptors.length === 0) {
      run(input);
      return shapeResult(call, m.info.kind);
    }
    const streamingRequest = m.info.kind === 'clientStream' || m.info.kind === 'bidiStream';
    const ctx: ClientCallContext = {
      service: m.service,
      method: m.method,
      path: m.info.path,
      kind: m.info.kind,
      metadata,
      request: streamingRequest ? undefined : input,
      response: undefined,
      deadline,
      options: callOptions,
      transport: m.transport,
      messages: call.counts,
      get peer() {
        return call.peer;
      },
    };
    // The chain carries the outcome: `done` is observed through it, or not at all when an
    // interceptor fails the call before it starts.
    call.done.catch(() => {});
    const chain = runInterceptors(interceptors, ctx, async () => {
      ctx.response = await run(streamingRequest ? input : ctx.request);
    });
    if (m.info.kind === 'serverStream' || m.info.kind === 'bidiStream') {
      const stream = call.responseStream();
      chain.catch((err: unknown) => call.fail(asClientError(err)));
      return stream;
    }
    return chain.then(
      () => ctx.response,
      (err: unknown) => {
        call.fail(asClientError(err));
        throw asClientError(err);
      },
    );
  };
}

function shapeResult(call: ClientCall, kind: MethodKind): unknown {
  if (kind === 'serverStream' || kind === 'bidiStream') return call.responseStream();
  return call.done;
}

function asClientError(err: unknown): RpcError {
  if (err instanceof RpcError) return err;
  return new RpcError(Status.UNKNOWN, `an interceptor failed: ${String(err)}`, { cause: err });
}

/**
 * A typed client from a service definition and the runtime's pieces (resolver, balancer, transport
 * factory): what Node's `createClient` and the browser's share.
 * Internal to the package (the entry points export only what their users need of it).
 */
import type { DescService } from '@bufbuild/protobuf';
import type { ClientTransport, MethodInfo } from './call.js';
import type { Balancer } from './channel/balancer.js';
import { Channel, type ChannelOptions } from './channel/channel.js';
import type { Resolver } from './channel/resolver.js';
import { checkPositive } from './check-option.js';
import { methodInvoker } from './client-invoke.js';
import {
  type BaseClientOptions,
  type Client,
  DEFAULT_MAX_MESSAGE_BYTES,
  type TransportKind,
} from './client-types.js';
import { MAX_METADATA_BYTES } from './envelope.js';
import { RpcUsageError } from './errors.js';
import type { Logger } from './log.js';
import { isProtoService, protoServiceDefinition } from './protobuf/service.js';
import { CLIENT_MEMBERS, type MethodMap, methodCodecs, type ServiceDefinition, wirePath } from './service.js';

/** What a runtime's client brings to {@link buildClient}. */
export interface ClientSetup {
  kind: TransportKind;
  logger: Logger | undefined;
  balancer: Balancer;
  /** The resolver of the client's target, for the (normalised) service. */
  resolver(service: ServiceDefinition): Resolver;
  /** The transport factory, given the largest frame the service's messages need. */
  transport(maxFrameBytes: number): (host: string, port: number) => ClientTransport;
  /** Channel options beyond the shared ones (health checks, ejection, resolve timeout). */
  channel?: ChannelOptions;
}

/** The client of `input` with `options`, over what `setup` provides. */
export function buildClient(
  input: ServiceDefinition | DescService,
  options: BaseClientOptions,
  setup: ClientSetup,
): Client<MethodMap> {
  const service = isProtoService(input) ? protoServiceDefinition(input) : input;
  const proto = service.proto !== undefined;
  const resolver = setup.resolver(service);
  const maxDefault = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  checkPositive('maxMessageBytes', maxDefault);
  // Envelope transports bound a frame by the largest message any method takes, plus its metadata.
  let maxMessage = maxDefault;
  for (const m of Object.values(service.methods))
    maxMessage = Math.max(maxMessage, m.options.maxMessageBytes ?? 0);
  const makeTransport = setup.transport(maxMessage + MAX_METADATA_BYTES + 64);
  const channelOptions: ChannelOptions = {
    ...setup.channel,
    ...(options.retry === undefined ? {} : { retry: options.retry }),
    ...(options.hedge === undefined ? {} : { hedge: options.hedge }),
    ...(options.reconnect === undefined ? {} : { reconnect: options.reconnect }),
    service: service.name,
    logger: setup.logger,
  };
  const channel = new Channel(resolver, setup.balancer, (a) => makeTransport(a.host, a.port), channelOptions);
  const compressAt = options.compression?.thresholdBytes ?? Number.POSITIVE_INFINITY;
  const interceptors = options.interceptors ?? [];
  const client: Record<string, unknown> = {
    close: () => channel.close(),
  };
  channels.set(client, channel);
  for (const name of Object.keys(service.methods)) {
    // A protobuf-es service's method `Close` has the localName `close`: it cannot be the client's.
    if (CLIENT_MEMBERS.has(name)) {
      throw new RpcUsageError(
        'RPC_ERR_INVALID_SERVICE',
        `${service.name} has a method ${name}, which would hide the client's own ${name}`,
      );
    }
    const descriptor = service.methods[name]!;
    const codecs = methodCodecs(service.name, name, descriptor, service.options);
    const info: MethodInfo = {
      path: wirePath(service.name, name, descriptor),
      kind: descriptor.kind,
      codecName: codecs.subtype,
      maxMessageBytes: descriptor.options.maxMessageBytes ?? maxDefault,
      idempotent: descriptor.options.idempotent ?? false,
    };
    client[name] = methodInvoker({
      service: service.name,
      method: name,
      info,
      codecs,
      channel,
      proto,
      compressAt,
      interceptors,
      defaultTimeoutMs: options.defaultTimeoutMs,
      transport: setup.kind,
    });
  }
  return client as Client<MethodMap>;
}

const channels = new WeakMap<object, Channel>();

/**
 * The channel behind a client: `channelOf(client).stats()` gives calls started, succeeded, failed
 * and in flight, retries, and each endpoint's state.
 * @throws {RpcUsageError} `RPC_ERR_INVALID_OPTION` for an object `createClient` did not make.
 */
export function channelOf(client: object): Channel {
  const channel = channels.get(client);
  if (channel === undefined)
    throw new RpcUsageError('RPC_ERR_INVALID_OPTION', 'not a client made by createClient');
  return channel;
}

/**
 * Services straight from protobuf-es: the `GenService` that `protoc-gen-es` (v2) generates is
 * accepted wherever a `defineService` result is. Its methods are called by their `localName`
 * (lowerCamelCase, as Connect-ES does), sent by their `.proto` name, and carry protobuf binary
 * (`application/grpc+proto`; a plain `application/grpc` is taken too).
 */
import type { DescMessage, DescService, MessageInitShape, MessageShape } from '@bufbuild/protobuf';
import type { GenService, GenServiceMethods } from '@bufbuild/protobuf/codegenv2';
import type { MessageCodec } from '../codec.js';
import { RpcError } from '../errors.js';
import type { MethodDescriptor, MethodKind, MethodMap, ServiceDefinition } from '../service.js';
import { Status } from '../status.js';
import { loadProtobuf, protobufRuntime } from './runtime.js';

/** A protobuf-es service descriptor, as `protoc-gen-es` generates it. */
export type ProtoService<S extends GenServiceMethods = GenServiceMethods> = GenService<S>;

type KindOf<K> = K extends 'unary'
  ? 'unary'
  : K extends 'server_streaming'
    ? 'serverStream'
    : K extends 'client_streaming'
      ? 'clientStream'
      : 'bidiStream';

/**
 * The methods of a protobuf-es service as weft method descriptors: requests are given as
 * `MessageInitShape` (plain objects) and received as `MessageShape`; handlers may return either.
 */
export type ProtoMethods<S extends GenServiceMethods> = {
  [K in keyof S]: MethodDescriptor<
    MessageShape<S[K]['input']>,
    MessageShape<S[K]['output']>,
    KindOf<S[K]['methodKind']>,
    MessageInitShape<S[K]['input']>,
    MessageInitShape<S[K]['output']>
  >;
};

/**
 * The method map of either kind of service: `Client<MethodsOf<typeof Inventory>>`,
 * `ServiceImplementation<MethodsOf<typeof Inventory>>`.
 */
export type MethodsOf<T> =
  T extends ServiceDefinition<infer M>
    ? M
    : T extends GenService<infer S>
      ? S extends GenServiceMethods
        ? ProtoMethods<S>
        : never
      : never;

/** Whether `value` is a protobuf-es service descriptor (rather than a `defineService` result). */
export function isProtoService(value: unknown): value is DescService {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === 'service' &&
    Array.isArray((value as { methods?: unknown }).methods)
  );
}

const KINDS: Record<DescService['methods'][number]['methodKind'], MethodKind> = {
  unary: 'unary',
  server_streaming: 'serverStream',
  client_streaming: 'clientStream',
  bidi_streaming: 'bidiStream',
};

/** One definition per descriptor: a server and its clients share codecs. */
const definitions = new WeakMap<DescService, ServiceDefinition>();

/**
 * The weft service definition of a protobuf-es service: one method per rpc, keyed by `localName`,
 * with protobuf codecs for its input and output messages. Starts loading the protobuf runtime.
 */
export function protoServiceDefinition(desc: DescService): ServiceDefinition {
  let definition = definitions.get(desc);
  if (definition !== undefined) return definition;
  void loadProtobuf();
  const methods: MethodMap = {};
  for (const method of desc.methods) {
    methods[method.localName] = {
      kind: KINDS[method.methodKind],
      options: {
        name: method.name,
        requestCodec: protoCodec(method.input),
        responseCodec: protoCodec(method.output),
        // `option idempotency_level = IDEMPOTENT | NO_SIDE_EFFECTS` makes a method safe to retry.
        idempotent: method.idempotency !== 0,
      },
    };
  }
  definition = { name: desc.typeName, methods, options: {}, proto: desc };
  definitions.set(desc, definition);
  return definition;
}

/** The codec of one message type: protobuf binary through protobuf-es. */
function protoCodec(schema: DescMessage): MessageCodec {
  return {
    name: 'proto',
    encode: (value) => runtime().encode(schema, value as MessageInitShape<DescMessage>),
    decode: (bytes) => runtime().decode(schema, bytes),
  };
}

function runtime(): NonNullable<ReturnType<typeof protobufRuntime>> {
  const loaded = protobufRuntime();
  if (loaded === undefined) {
    // Unreachable through the server and client, which wait for the runtime before any call.
    throw new RpcError(Status.UNAVAILABLE, 'the protobuf runtime is still loading');
  }
  return loaded;
}

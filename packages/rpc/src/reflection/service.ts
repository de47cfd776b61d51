/**
 * `grpc.reflection.v1.ServerReflection` and `grpc.reflection.v1alpha.ServerReflection`
 * (grpc/grpc doc/server-reflection.md), served by every weft server unless turned off: grpcurl,
 * grpcui, Postman and any gRPC stack's reflection client can list the server's services and fetch
 * the .proto files of those it describes.
 */
import { bidiStream, defineService } from '../service.js';
import { type ReflectionRequest, type ReflectionResponse, reflectionCodecs } from './messages.js';

const methods = () => ({
  /** One stream of questions, one answer each, in order. */
  info: bidiStream<ReflectionRequest, ReflectionResponse>({
    ...reflectionCodecs,
    name: 'ServerReflectionInfo',
  }),
});

/** `grpc.reflection.v1.ServerReflection`. */
export const ReflectionService = defineService('grpc.reflection.v1.ServerReflection', methods());

/** `grpc.reflection.v1alpha.ServerReflection`: the same protocol, for tools that ask the older name. */
export const ReflectionServiceV1Alpha = defineService('grpc.reflection.v1alpha.ServerReflection', methods());

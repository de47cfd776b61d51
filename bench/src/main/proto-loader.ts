/** The `-proto` systems' service as @grpc/proto-loader loads it from bench/proto, for grpc-js. */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { BENCH_PROTO } from './systems.js';

type ServiceClient = typeof grpc.Client & { service: grpc.ServiceDefinition };
let loaded: ServiceClient | undefined;

/** `weft.bench.v1.ProtoBench`'s client constructor (its `.service` for a server), loaded once. */
export function grpcProtoBench(): ServiceClient {
  if (loaded === undefined) {
    const definition = protoLoader.loadSync(BENCH_PROTO.file, { includeDirs: [BENCH_PROTO.root] });
    // biome-ignore lint/suspicious/noExplicitAny: proto-loader's package objects are untyped.
    loaded = (grpc.loadPackageDefinition(definition) as any).weft.bench.v1.ProtoBench as ServiceClient;
  }
  return loaded;
}

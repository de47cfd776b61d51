/**
 * Server reflection (grpc.reflection.v1 and v1alpha): the services listed, files by name, by
 * symbol and by extension with their imports, errors as error_response, the stream staying open,
 * and a call made with nothing but the reflected descriptors — asked by a weft client with the
 * protobuf-es descriptors of the reflection protocol and by a stock grpc-js client.
 */
import { fileURLToPath } from 'node:url';
import {
  create,
  createFileRegistry,
  type DescService,
  fromBinary,
  type MessageInitShape,
} from '@bufbuild/protobuf';
import {
  type FileDescriptorProto,
  FileDescriptorProtoSchema,
  FileDescriptorSetSchema,
} from '@bufbuild/protobuf/wkt';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ServerReflection,
  type ServerReflectionRequestSchema,
  type ServerReflectionResponse,
} from '../src/gen/grpc/reflection/v1/reflection_pb.js';
import { ServerReflection as ServerReflectionV1Alpha } from '../src/gen/grpc/reflection/v1alpha/reflection_pb.js';
import {
  createClient,
  createServer,
  defineService,
  HealthService,
  RpcError,
  type Server,
  Status,
  unary,
} from '../src/index.js';
import { TRANSPORTS } from './fixtures.js';
import { Catalog } from './gen/weft/test/v1/catalog_pb.js';
import { Inventory } from './gen/weft/test/v1/inventory_pb.js';
import { inventoryImpl } from './inventory-impl.js';

type Request = MessageInitShape<typeof ServerReflectionRequestSchema>;

const Echo = defineService('weft.test.v1.MsgpackEcho', {
  echo: unary<{ text: string }, { text: string }>(),
});

function serve(options: Parameters<typeof createServer>[0] = {}): Server {
  return createServer(options)
    .add(Inventory, inventoryImpl({ cancelled: [], metadata: [] }))
    .add(Catalog, { getListing: (req) => ({ item: { sku: req.sku }, state: 1 }) })
    .add(Echo, { echo: (req) => req });
}

/** Ask questions on one reflection stream; the answers in order. */
async function ask(
  target: string,
  transport: (typeof TRANSPORTS)[number],
  requests: Request[],
  service: typeof ServerReflection | typeof ServerReflectionV1Alpha = ServerReflection,
): Promise<ServerReflectionResponse[]> {
  const client = createClient(service as typeof ServerReflection, { target, transport });
  try {
    const out: ServerReflectionResponse[] = [];
    async function* questions() {
      yield* requests;
    }
    for await (const res of client.serverReflectionInfo(questions(), { timeoutMs: 5000 })) out.push(res);
    return out;
  } finally {
    client.close();
  }
}

const list: Request = { host: 'h', messageRequest: { case: 'listServices', value: '' } };
const symbol = (value: string): Request => ({ messageRequest: { case: 'fileContainingSymbol', value } });

/** The file descriptors of an answer, decoded. */
function filesOf(res: ServerReflectionResponse): FileDescriptorProto[] {
  if (res.messageResponse.case !== 'fileDescriptorResponse') {
    throw new Error(
      `expected files, got ${res.messageResponse.case}: ${JSON.stringify(res.messageResponse.value)}`,
    );
  }
  return res.messageResponse.value.fileDescriptorProto.map((b) => fromBinary(FileDescriptorProtoSchema, b));
}

function errorOf(res: ServerReflectionResponse): { code: number; message: string } {
  if (res.messageResponse.case !== 'errorResponse')
    throw new Error(`expected an error, got ${res.messageResponse.case}`);
  return { code: res.messageResponse.value.errorCode, message: res.messageResponse.value.errorMessage };
}

const STANDARD = [
  'grpc.health.v1.Health',
  'grpc.reflection.v1.ServerReflection',
  'grpc.reflection.v1alpha.ServerReflection',
];

describe.each(TRANSPORTS)('server reflection over %s', (transport) => {
  let server: Server;
  let target: string;
  beforeAll(async () => {
    server = serve();
    target = `static:///127.0.0.1:${(await server.listen({ transport })).port}`;
  });
  afterAll(() => server.close({ graceMs: 100 }));

  it('lists the protobuf services and the standard ones, on v1 and v1alpha; not msgpack ones', async () => {
    for (const service of [ServerReflection, ServerReflectionV1Alpha]) {
      const [res] = await ask(target, transport, [list], service);
      expect(res!.validHost).toBe('h');
      expect(res!.originalRequest?.messageRequest.case).toBe('listServices');
      expect(res!.messageResponse.case).toBe('listServicesResponse');
      const names = (res!.messageResponse.value as { service: { name: string }[] }).service.map(
        (s) => s.name,
      );
      expect(names).toEqual([...STANDARD, 'weft.test.v1.Catalog', 'weft.test.v1.Inventory'].sort());
    }
    // The msgpack service is not listed, and still served.
    const echo = createClient(Echo, { target, transport });
    expect(await echo.echo({ text: 'hi' })).toEqual({ text: 'hi' });
    echo.close();
  });
});

describe('server reflection: what it answers', () => {
  let server: Server;
  let target: string;
  beforeAll(async () => {
    server = serve();
    target = `static:///127.0.0.1:${(await server.listen()).port}`;
  });
  afterAll(() => server.close({ graceMs: 100 }));

  it('a file by symbol comes with its imports, each import once per stream', async () => {
    const [catalog, inventory, method] = await ask(target, 'mux', [
      symbol('weft.test.v1.Catalog'),
      { messageRequest: { case: 'fileByFilename', value: 'weft/test/v1/inventory.proto' } },
      symbol('weft.test.v1.Catalog.GetListing'),
    ]);
    expect(filesOf(catalog!).map((f) => f.name)).toEqual([
      'weft/test/v1/catalog.proto',
      'google/protobuf/descriptor.proto',
      'google/protobuf/timestamp.proto',
      'weft/test/v1/inventory.proto',
    ]);
    // Asked for again: the file itself, always; its imports were sent already.
    expect(filesOf(inventory!).map((f) => f.name)).toEqual(['weft/test/v1/inventory.proto']);
    expect(filesOf(method!).map((f) => f.name)).toEqual(['weft/test/v1/catalog.proto']);
  });

  it('finds every kind of symbol, with or without a leading dot', async () => {
    const symbols: [string, string][] = [
      ['weft.test.v1.Inventory', 'weft/test/v1/inventory.proto'],
      ['weft.test.v1.Inventory.Reserve', 'weft/test/v1/inventory.proto'],
      ['.weft.test.v1.Item', 'weft/test/v1/inventory.proto'],
      ['weft.test.v1.Item.sku', 'weft/test/v1/inventory.proto'],
      ['weft.test.v1.Item.origin', 'weft/test/v1/inventory.proto'],
      ['weft.test.v1.Listing.State', 'weft/test/v1/catalog.proto'],
      ['weft.test.v1.Listing.STATE_OPEN', 'weft/test/v1/catalog.proto'],
      ['weft.test.v1.audit_note', 'weft/test/v1/catalog.proto'],
      ['google.protobuf.Timestamp', 'google/protobuf/timestamp.proto'],
      ['grpc.health.v1.Health', 'grpc/health/v1/health.proto'],
      ['grpc.health.v1.HealthCheckResponse.SERVING', 'grpc/health/v1/health.proto'],
      ['grpc.reflection.v1.ServerReflection', 'grpc/reflection/v1/reflection.proto'],
      ['grpc.reflection.v1alpha.ServerReflectionRequest', 'grpc/reflection/v1alpha/reflection.proto'],
    ];
    const answers = await ask(
      target,
      'mux',
      symbols.map(([s]) => symbol(s)),
    );
    expect(answers.map((a) => filesOf(a)[0]!.name)).toEqual(symbols.map(([, file]) => file));
  });

  it('extensions: the file of one, and the numbers of a type', async () => {
    const [file, numbers, none, unknown, missing] = await ask(target, 'mux', [
      {
        messageRequest: {
          case: 'fileContainingExtension',
          value: { containingType: 'google.protobuf.MethodOptions', extensionNumber: 50001 },
        },
      },
      { messageRequest: { case: 'allExtensionNumbersOfType', value: 'google.protobuf.MethodOptions' } },
      { messageRequest: { case: 'allExtensionNumbersOfType', value: 'weft.test.v1.Item' } },
      { messageRequest: { case: 'allExtensionNumbersOfType', value: 'weft.test.v1.Nope' } },
      {
        messageRequest: {
          case: 'fileContainingExtension',
          value: { containingType: 'google.protobuf.MethodOptions', extensionNumber: 7 },
        },
      },
    ]);
    expect(filesOf(file!)[0]!.name).toBe('weft/test/v1/catalog.proto');
    expect(numbers!.messageResponse).toMatchObject({
      case: 'allExtensionNumbersResponse',
      value: { baseTypeName: 'google.protobuf.MethodOptions', extensionNumber: [50001] },
    });
    expect(none!.messageResponse).toMatchObject({
      value: { baseTypeName: 'weft.test.v1.Item', extensionNumber: [] },
    });
    expect(errorOf(unknown!)).toEqual({
      code: Status.NOT_FOUND,
      message: 'no message type "weft.test.v1.Nope" is known',
    });
    expect(errorOf(missing!).code).toBe(Status.NOT_FOUND);
  });

  it('unknown names are error_responses and the stream goes on', async () => {
    const answers = await ask(target, 'mux', [
      symbol('weft.test.v1.Nope'),
      { messageRequest: { case: 'fileByFilename', value: 'nope.proto' } },
      symbol('weft.test.v1.MsgpackEcho'),
      { host: 'x' },
      list,
    ]);
    expect(answers.slice(0, 4).map(errorOf)).toEqual([
      { code: Status.NOT_FOUND, message: 'no symbol "weft.test.v1.Nope" is known' },
      { code: Status.NOT_FOUND, message: 'no file "nope.proto" is known' },
      { code: Status.NOT_FOUND, message: 'no symbol "weft.test.v1.MsgpackEcho" is known' },
      {
        code: Status.INVALID_ARGUMENT,
        message: 'the request asks nothing this server knows: its message_request is empty or unknown',
      },
    ]);
    expect(answers[3]!.validHost).toBe('x');
    expect(answers[4]!.messageResponse.case).toBe('listServicesResponse');
  });

  it('the reflected descriptors alone are enough to call a service (as grpcurl does)', async () => {
    const [res] = await ask(target, 'mux', [symbol('weft.test.v1.Inventory')]);
    const registry = createFileRegistry(create(FileDescriptorSetSchema, { file: filesOf(res!) }));
    const reflected = registry.getService('weft.test.v1.Inventory') as DescService;
    expect(reflected).toBeDefined();
    const client = createClient(reflected, { target });
    const getItem = (client as unknown as Record<string, (req: object) => Promise<Record<string, unknown>>>)
      .getItem!;
    const item = await getItem({ sku: 'R-1' });
    expect(item).toMatchObject({ $typeName: 'weft.test.v1.Item', sku: 'R-1', name: 'item R-1' });
    client.close();
  });
});

describe('server options: the standard services can be turned off', () => {
  it('reflection: false and health: false answer UNIMPLEMENTED', async () => {
    const server = serve({ reflection: false, health: false });
    const target = `static:///127.0.0.1:${(await server.listen()).port}`;
    try {
      await expect(ask(target, 'mux', [list])).rejects.toMatchObject({ code: Status.UNIMPLEMENTED });
      const health = createClient(HealthService, { target });
      await expect(health.check({ service: '' })).rejects.toBeInstanceOf(RpcError);
      await expect(health.check({ service: '' })).rejects.toMatchObject({ code: Status.UNIMPLEMENTED });
      health.close();
    } finally {
      await server.close({ graceMs: 100 });
    }
  });

  it('health off, reflection on: reflection does not list health', async () => {
    const server = serve({ health: false });
    const target = `static:///127.0.0.1:${(await server.listen()).port}`;
    try {
      const [res] = await ask(target, 'mux', [list, symbol('grpc.health.v1.Health')]);
      const names = (res!.messageResponse.value as { service: { name: string }[] }).service.map(
        (s) => s.name,
      );
      expect(names).not.toContain('grpc.health.v1.Health');
      expect(names).toContain('grpc.reflection.v1.ServerReflection');
    } finally {
      await server.close({ graceMs: 100 });
    }
  });
});

describe('a stock grpc-js reflection client (proto-loader on the standard reflection.proto)', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = serve();
    port = (await server.listen()).port;
  });
  afterAll(() => server.close({ graceMs: 100 }));

  for (const version of ['v1', 'v1alpha'] as const) {
    it(`${version}: lists services and fetches a file by symbol`, async () => {
      const file = fileURLToPath(
        new URL(`../proto/grpc/reflection/${version}/reflection.proto`, import.meta.url),
      );
      const definition = protoLoader.loadSync(file, { oneofs: true, defaults: true });
      // biome-ignore lint/suspicious/noExplicitAny: proto-loader's package objects are untyped.
      const Client = (grpc.loadPackageDefinition(definition) as any).grpc.reflection[version]
        .ServerReflection;
      const client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
      try {
        const answers = await new Promise<Record<string, unknown>[]>((resolve, reject) => {
          const out: Record<string, unknown>[] = [];
          const call = client.ServerReflectionInfo();
          call.on('data', (m: Record<string, unknown>) => out.push(m));
          call.on('end', () => resolve(out));
          call.on('error', reject);
          call.write({ listServices: '' });
          call.write({ fileContainingSymbol: 'weft.test.v1.Inventory.GetItem' });
          call.write({ fileContainingSymbol: 'weft.test.v1.Nope' });
          call.end();
        });
        const services = answers[0]!.listServicesResponse as { service: { name: string }[] };
        expect(services.service.map((s) => s.name)).toContain('weft.test.v1.Inventory');
        const files = (answers[1]!.fileDescriptorResponse as { fileDescriptorProto: Buffer[] })
          .fileDescriptorProto;
        const inventory = fromBinary(FileDescriptorProtoSchema, files[0]!);
        expect(inventory.name).toBe('weft/test/v1/inventory.proto');
        expect(inventory.service[0]!.method.map((m) => m.name)).toEqual([
          'GetItem',
          'ListItems',
          'RecordChanges',
          'Reserve',
          'Echo',
        ]);
        expect(answers[2]!.errorResponse).toMatchObject({ errorCode: Status.NOT_FOUND });
      } finally {
        client.close();
      }
    });
  }
});

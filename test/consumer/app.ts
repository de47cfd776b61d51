/**
 * A consumer of the packed @weft packages, compiled once as an ES module project and once as a
 * CommonJS one (`require` of ES modules, Node ≥ 20.19): every entry point is imported, and a call
 * crosses each transport so that the packages work installed, not only in the workspace.
 */
import { lengthPrefixed } from '@weft/framing';
import { decodeStream } from '@weft/framing/node';
import { codecLaws } from '@weft/framing/testing';
import { Connection } from '@weft/mux';
import { DATA_CHUNK } from '@weft/mux/core';
import { HpackDecoder, HpackEncoder } from '@weft/mux/hpack';
import { connect } from '@weft/mux/node';
import { createClient, createServer, defineService, RpcError, Status, unary } from '@weft/rpc';
import { clientTelemetry } from '@weft/rpc/otel';
import { WsConnection } from '@weft/ws';
import { WebSocket } from '@weft/ws/node';

interface Hello {
  name: string;
}
interface Reply {
  message: string;
}

const Greeter = defineService('consumer.v1.Greeter', {
  sayHello: unary<Hello, Reply>(),
});

async function main(): Promise<void> {
  const codec = lengthPrefixed({ width: 4, maxFrameLength: 1024 });
  const frames = [...codec.decoder().push(codec.encode(new Uint8Array([1, 2, 3])))];
  const block = new HpackEncoder().encode([[':path', '/']]);
  const fields = new HpackDecoder().decode(block);
  const loaded = [
    decodeStream,
    codecLaws,
    Connection,
    DATA_CHUNK,
    connect,
    clientTelemetry,
    WsConnection,
    WebSocket,
  ];
  if (loaded.some((x) => x === undefined)) throw new Error('an entry point exported undefined');

  const server = createServer().add(Greeter, {
    sayHello: (req) => {
      if (req.name === '') throw new RpcError(Status.INVALID_ARGUMENT, 'no name');
      return { message: `Hello, ${req.name}!` };
    },
  });
  const replies: string[] = [];
  for (const transport of ['mux', 'pooled', 'ws'] as const) {
    const { port } = await server.listen({ port: 0, host: '127.0.0.1', transport });
    const client = createClient(Greeter, { target: `static:///127.0.0.1:${port}`, transport });
    replies.push(`${transport}: ${(await client.sayHello({ name: 'Ada' }, { timeoutMs: 5000 })).message}`);
    client.close();
  }
  await server.close();
  console.log(JSON.stringify({ frames: frames.length, path: fields[0]?.[1], replies }));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

/**
 * An HTTP/2 echo server for the benchmarks, run in its own process:
 *   node echo-server.js weft|node-http2
 * Prints its port on stdout, echoes each request body with status 200.
 */
import http2 from 'node:http2';
import net, { type AddressInfo } from 'node:net';
import { createServer, type MuxStream } from '@weft/mux/node';

const kind = process.argv[2];
const announce = (server: { address(): unknown }) => () =>
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`);

/** Echo the request body with status 200 (the same handler for both servers). */
function echo(stream: NodeJS.ReadWriteStream & { respond(h: Record<string, number>): void }): void {
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => {
    stream.respond({ ':status': 200 });
    stream.end(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
  });
}

if (kind === 'weft') {
  const server = createServer({}, (stream: MuxStream) => echo(stream));
  server.listen(0, '127.0.0.1', announce(server));
} else if (kind === 'node-http2') {
  const server = http2.createServer();
  server.on('stream', (stream) => echo(stream));
  server.listen(0, '127.0.0.1', announce(server));
} else if (kind === 'weft-sink') {
  // Counts the request body and answers with the count.
  const server = createServer({}, (stream: MuxStream) => {
    let n = 0;
    stream.on('data', (c: Buffer) => {
      n += c.length;
    });
    stream.on('end', () => {
      stream.respond({ ':status': 200 });
      stream.end(String(n));
    });
  });
  server.listen(0, '127.0.0.1', announce(server));
} else if (kind === 'raw-sink') {
  // The floor: a plain socket that counts until the client half-closes, then answers with the count.
  const server = net.createServer((socket) => {
    let n = 0;
    socket.on('data', (c) => {
      n += c.length;
    });
    socket.on('end', () => socket.end(String(n)));
  });
  server.listen(0, '127.0.0.1', announce(server));
} else {
  process.stderr.write('usage: echo-server weft|node-http2|weft-sink|raw-sink\n');
  process.exit(2);
}

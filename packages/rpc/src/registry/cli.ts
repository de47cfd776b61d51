#!/usr/bin/env node
/**
 * `weft-registry`: a standalone registry. `npx weft-registry --port 7070 [--host 127.0.0.1]`.
 * Prints `weft-registry listening on registry://host:port`; stops on SIGINT or SIGTERM.
 */
import { parseArgs } from 'node:util';
import { startRegistry } from './start.js';

const USAGE = `usage: weft-registry [--port 7070] [--host 127.0.0.1] [--transport mux|pooled|ws]
  A service registry for weft: servers register with listen({ register: { target } }),
  clients use target 'registry://host:port'. Leases expire without keepalives.
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '7070' },
      host: { type: 'string', default: '127.0.0.1' },
      transport: { type: 'string', default: 'mux' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port: ${values.port} is not a port`);
  const transport = values.transport as 'mux' | 'pooled' | 'ws';
  if (!['mux', 'pooled', 'ws'].includes(transport)) throw new Error(`--transport: mux, pooled or ws`);
  const running = await startRegistry({ port, host: values.host, transport });
  process.stdout.write(`weft-registry listening on ${running.target}\n`);
  const stop = () => {
    void running.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`weft-registry: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});

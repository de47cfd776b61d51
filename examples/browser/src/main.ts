/** `npm start`: serve the example until Ctrl-C. `--port N` picks the port (default 8080). */
import { parseArgs } from 'node:util';
import { startLive } from './server.js';

const { values } = parseArgs({ options: { port: { type: 'string', default: '8080' } } });
const live = await startLive({ port: Number(values.port) });
console.log(`open ${live.url} (in two tabs, to chat); Ctrl-C stops`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void live.close().then(() => process.exit(0));
  });
}

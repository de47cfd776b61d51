/** `npm start`: a server on a free port, a client calling it, then both closed. */
import { greet } from './client.js';
import { startGreeter } from './server.js';

const { server, address } = await startGreeter();
console.log(`greeter listening on ${address.host}:${address.port}`);
for (const line of await greet(`static:///${address.host}:${address.port}`, 'Ada')) console.log(line);
await server.close();

// A client of a server that is down, for the NODE_DEBUG=weft test: its channel logs to stderr.
import { createClient, defineService, unary } from '@weft/rpc';

const S = defineService('weft.test.v1.Down', { m: unary() });
const client = createClient(S, { target: `127.0.0.1:${process.argv[2]}`, retry: { maxAttempts: 1 } });
await client.m({}, { timeoutMs: 2000 }).catch(() => {});
client.close();

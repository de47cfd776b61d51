/** A Greeter client: one unary call and one server stream. */
import { createClient } from '@weft/rpc';
import { Greeter } from './gen/greeter/v1/greeter_pb.js';

/** Greet `name` at `target` and count to 3; returns what the server said. */
export async function greet(target: string, name: string): Promise<string[]> {
  const client = createClient(Greeter, { target });
  try {
    const reply = await client.sayHello({ name }, { timeoutMs: 2000 });
    const lines = [reply.message];
    for await (const tick of client.count({ to: 3 })) lines.push(`tick ${tick.n}`);
    return lines;
  } finally {
    client.close();
  }
}

/** The Greeter service, implemented and served over weft's HTTP/2 transport (gRPC wire format). */
import { createServer, type ListenAddress, type Server } from '@weft/rpc';
import { Greeter } from './gen/greeter/v1/greeter_pb.js';

/** Start a server with Greeter on `port` (0: any free port). */
export async function startGreeter(port = 0): Promise<{ server: Server; address: ListenAddress }> {
  const server = createServer();
  server.add(Greeter, {
    sayHello: (req) => ({ message: `Hello, ${req.name || 'stranger'}!` }),
    async *count(req) {
      for (let n = 1; n <= req.to; n++) yield { n };
    },
  });
  const address = await server.listen({ port });
  return { server, address };
}

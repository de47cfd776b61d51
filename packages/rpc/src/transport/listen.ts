import type { Server } from 'node:net';

/** Listen and resolve with the bound address. @internal */
export function listenOn(
  server: Server,
  host: string,
  port: number,
): Promise<{ host: string; port: number }> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      if (address === null || typeof address === 'string') {
        reject(new Error('the server has no TCP address'));
        return;
      }
      resolve({ host: address.address, port: address.port });
    });
  });
}

/**
 * Graceful close of a listening transport: stop accepting, let `drain` finish for up to `graceMs`,
 * then `kill` what is left. @internal
 */
export async function closeListener(
  server: Server,
  graceMs: number,
  connections: { drain: () => Promise<void>; kill: () => void },
): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, graceMs);
  });
  await Promise.race([connections.drain(), deadline]);
  clearTimeout(timer);
  connections.kill();
  await closed;
}

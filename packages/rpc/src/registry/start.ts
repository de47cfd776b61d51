/**
 * `startRegistry()`: the registry service on a weft server, in this process.
 */

import type { TransportKind } from '../client-types.js';
import { follow } from '../follow.js';
import type { ServerTlsOptions } from '../node/tls-options.js';
import { createServer } from '../server.js';
import { Registry, type RegistryLimits } from './registry.js';
import { RegistryService } from './service.js';

export interface RegistryOptions extends RegistryLimits {
  /** Default 0 (any free port). */
  port?: number;
  /** Default `127.0.0.1`. */
  host?: string;
  /** Default `'mux'`. */
  transport?: TransportKind;
  tls?: ServerTlsOptions;
}

/** A running registry. */
export interface RunningRegistry {
  host: string;
  port: number;
  /** `registry://host:port`: the target clients and servers use. */
  target: string;
  /** The state, for inspection. */
  registry: Registry;
  close(): Promise<void>;
}

/** Start a registry: clients use `target` (`registry://host:port`), servers `listen({ register: { target } })`. */
export async function startRegistry(options: RegistryOptions = {}): Promise<RunningRegistry> {
  const registry = new Registry(options);
  const server = createServer();
  server.add(RegistryService, {
    register: async (req) => registry.register(req),
    keepAlive: async (req) => registry.keepAlive(req?.leaseId),
    deregister: async (req) => {
      registry.deregister(req?.leaseId);
      return {};
    },
    list: async (req) => registry.list(req?.service),
    watch: (req, ctx) => {
      const service = req?.service;
      return follow(
        () => registry.list(service),
        (push) => registry.watch(service, push),
        ctx.signal,
      );
    },
  });
  const at = await server.listen({
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
    transport: options.transport ?? 'mux',
    ...(options.tls === undefined ? {} : { tls: options.tls }),
  });
  const host = at.host.includes(':') ? `[${at.host}]` : at.host;
  return {
    host: at.host,
    port: at.port,
    target: `registry://${host}:${at.port}`,
    registry,
    close: async () => {
      registry.clear();
      await server.close({ graceMs: 100 });
    },
  };
}

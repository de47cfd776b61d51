/**
 * The browser client: `createClient` over the page's native `WebSocket`, to a Weft server's `ws`
 * transport. The same service definitions, call shapes, options and types as Node's client; one
 * server address, no Node transports.
 */
import type { DescService } from '@bufbuild/protobuf';
import type { GenServiceMethods } from '@bufbuild/protobuf/codegenv2';
import { pickFirst } from '../channel/balancers/pick-first.js';
import { StaticResolver } from '../channel/static-resolver.js';
import { checkPositive } from '../check-option.js';
import { buildClient } from '../client-build.js';
import type { BaseClientOptions, Client } from '../client-types.js';
import { RpcUsageError } from '../errors.js';
import type { ProtoMethods, ProtoService } from '../protobuf/service.js';
import type { MethodMap, ServiceDefinition } from '../service.js';
import type { KeepaliveOptions } from '../transport/keepalive.js';
import { WS_PATH, WsClientTransport } from '../transport/ws-client.js';
import { browserConnect } from './websocket.js';

/** Default {@link WebClientOptions.handshakeTimeoutMs}. */
export const WEB_HANDSHAKE_TIMEOUT_MS = 10_000;

/** Options of the browser's {@link createClient}. */
export interface WebClientOptions extends BaseClientOptions {
  /**
   * The server's WebSocket address: `ws://host:port` or `wss://host:port`, with a path when the
   * server listens on another than `/weft-rpc`. `http://` and `https://` mean `ws://` and `wss://`,
   * so `location.origin` works for a page its Weft server serves.
   */
  target: string;
  /**
   * Keepalive with Ping envelopes: a connection quiet for `intervalMs` is pinged, and closed when
   * the server does not answer within `timeoutMs` (default 20 s). Off by default.
   */
  keepalive?: KeepaliveOptions;
  /** How long the WebSocket opening handshake may take; then the attempt fails (UNAVAILABLE). Default 10 s. */
  handshakeTimeoutMs?: number;
  /** The WebSocket constructor: `globalThis.WebSocket` unless given. */
  WebSocket?: typeof WebSocket;
}

/** The WebSocket URL and the address it names, of a target. */
function parseWebTarget(target: string): { url: string; host: string; port: number } {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new RpcUsageError('RPC_ERR_INVALID_TARGET', `not a URL: target ${JSON.stringify(target)}`);
  }
  const scheme = { 'ws:': 'ws:', 'wss:': 'wss:', 'http:': 'ws:', 'https:': 'wss:' }[url.protocol];
  if (scheme === undefined)
    throw new RpcUsageError(
      'RPC_ERR_INVALID_TARGET',
      `unsupported scheme ${url.protocol} in target ${JSON.stringify(target)}: expected ws:, wss:, http: or https:`,
    );
  url.protocol = scheme;
  if (url.pathname === '' || url.pathname === '/') url.pathname = WS_PATH;
  url.hash = '';
  const port = url.port === '' ? (scheme === 'wss:' ? 443 : 80) : Number(url.port);
  return { url: url.href, host: url.hostname, port };
}

/**
 * Create a typed client for `service` in a web page.
 * @example
 * const client = createClient(Echo, { target: 'ws://localhost:7000' });
 * const res = await client.echo({ text: 'hi' }, { timeoutMs: 1000 });
 * @throws {RpcUsageError} `RPC_ERR_INVALID_TARGET`, `RPC_ERR_INVALID_OPTION`; `RPC_ERR_INVALID_SERVICE`
 *   for a protobuf-es service with a method `close` or `then`.
 */
export function createClient<M extends MethodMap>(
  service: ServiceDefinition<M>,
  options: WebClientOptions,
): Client<M>;
/** A client of a protobuf-es service (`protoc-gen-es` output): methods by `localName`. */
export function createClient<S extends GenServiceMethods>(
  service: ProtoService<S>,
  options: WebClientOptions,
): Client<ProtoMethods<S>>;
export function createClient(
  input: ServiceDefinition | DescService,
  options: WebClientOptions,
): Client<MethodMap> {
  const { url, host, port } = parseWebTarget(options.target);
  const handshakeTimeoutMs = options.handshakeTimeoutMs ?? WEB_HANDSHAKE_TIMEOUT_MS;
  checkPositive('handshakeTimeoutMs', handshakeTimeoutMs);
  return buildClient(input, options, {
    kind: 'ws',
    logger: options.logger,
    balancer: pickFirst,
    resolver: () => new StaticResolver([{ host, port }]),
    transport: (maxFrameBytes) => {
      const connect = browserConnect({ maxFrameBytes, handshakeTimeoutMs, WebSocket: options.WebSocket });
      return () =>
        new WsClientTransport({ url, connect, logger: options.logger, keepalive: options.keepalive });
    },
  });
}

/**
 * The server's calls counted by client connection, on every transport: a call is admitted within
 * the server's `maxConcurrentCalls` and its connection's share of them; when the server is full, a
 * connection below its fair share takes a slot from the connection holding the most (whose oldest
 * call is shed), so that no client — however many connections it opens — holds the limit alone.
 * A connection without calls for `idleTimeoutMs` is closed.
 * Internal to the package (the entry points export only what their users need of it).
 */
import { RpcError } from './errors.js';
import { Status } from './status.js';
import { unrefTimer } from './timer.js';

/**
 * A call the server may shed to make room for a connection below its share. Its connection keeps
 * its calls in a list through these links — not in a `Set`, whose rehashing keeps dead tables and
 * entries alive past a full GC (see IdMap in @weft/framing).
 */
export interface Sheddable {
  /** End the call now with `error` (the client sees it as the call's status). */
  shed(error: RpcError): void;
  /** @internal the next older and newer call of the same connection. */
  _older: Sheddable | undefined;
  _newer: Sheddable | undefined;
}

/** How a transport closes one of its connections. */
export interface ConnectionHooks {
  /** Close gracefully: it has had no call for the idle timeout. */
  closeIdle(): void;
}

/** Limits of {@link ServerConnections}. */
export interface ConnectionLimits {
  /** Calls at once over all connections. */
  maxCalls: number;
  /** Calls at once on one connection. */
  maxCallsPerConnection: number;
  /** Close a connection without calls after this long; 0: never. */
  idleTimeoutMs: number;
}

/** One client connection, as the server counts it. */
export class ServerConnection {
  /** Its calls: a list from the oldest to the newest. */
  #oldest: Sheddable | undefined;
  #newest: Sheddable | undefined;
  #calls = 0;
  readonly #owner: ServerConnections;
  readonly #hooks: ConnectionHooks;
  #idleSince = performance.now();
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  /** @internal */
  constructor(owner: ServerConnections, hooks: ConnectionHooks, idleTimeoutMs: number) {
    this.#owner = owner;
    this.#hooks = hooks;
    if (idleTimeoutMs > 0) this.#arm(idleTimeoutMs, idleTimeoutMs);
  }

  /** The transport closed it: it no longer counts. */
  closed(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#owner._forget(this);
  }

  /** Calls it holds now. */
  get calls(): number {
    return this.#calls;
  }

  /** The call it has held longest. */
  get oldest(): Sheddable | undefined {
    return this.#oldest;
  }

  /** @internal */
  _added(call: Sheddable): void {
    call._older = this.#newest;
    call._newer = undefined;
    if (this.#newest === undefined) this.#oldest = call;
    else this.#newest._newer = call;
    this.#newest = call;
    this.#calls++;
  }

  /** @internal a call ended: the connection may be idle from now. */
  _ended(call: Sheddable): void {
    const { _older: older, _newer: newer } = call;
    if (older === undefined) this.#oldest = newer;
    else older._newer = newer;
    if (newer === undefined) this.#newest = older;
    else newer._older = older;
    call._older = undefined;
    call._newer = undefined;
    if (--this.#calls === 0) this.#idleSince = performance.now();
  }

  /**
   * One timer per connection, never re-armed per call: when it fires it checks how long the
   * connection has been without calls and either closes it or waits for the rest.
   */
  #arm(delayMs: number, idleTimeoutMs: number): void {
    this.#timer = setTimeout(() => {
      if (this.#closed) return;
      const idleFor = this.#calls === 0 ? performance.now() - this.#idleSince : 0;
      if (idleFor >= idleTimeoutMs) {
        this.#hooks.closeIdle();
        return;
      }
      this.#arm(idleTimeoutMs - idleFor, idleTimeoutMs);
    }, delayMs);
    unrefTimer(this.#timer);
  }
}

/** Every open connection of a server, and the calls each holds. */
export class ServerConnections {
  readonly #limits: ConnectionLimits;
  readonly #open = new Set<ServerConnection>();
  /** Calls being served, over every connection. */
  active = 0;
  /** Connections holding at least one call. */
  #busy = 0;

  constructor(limits: ConnectionLimits) {
    this.#limits = limits;
  }

  /** A transport accepted a connection. */
  open(hooks: ConnectionHooks): ServerConnection {
    const connection = new ServerConnection(this, hooks, this.#limits.idleTimeoutMs);
    this.#open.add(connection);
    return connection;
  }

  /** @internal */
  _forget(connection: ServerConnection): void {
    if (this.#open.delete(connection) && connection.calls > 0) this.#busy--;
  }

  /** Connections open now. */
  get size(): number {
    return this.#open.size;
  }

  /**
   * Admit `call` on `connection`, or say why not. At the server's limit a connection below its fair
   * share (the limit divided among the busy connections) still gets in: the oldest call of the
   * connection holding the most is shed with RESOURCE_EXHAUSTED.
   */
  admit(connection: ServerConnection, call: Sheddable): RpcError | undefined {
    const { maxCalls, maxCallsPerConnection } = this.#limits;
    const held = connection.calls;
    if (held >= maxCallsPerConnection) {
      return new RpcError(
        Status.RESOURCE_EXHAUSTED,
        `this connection holds its limit of ${maxCallsPerConnection} calls`,
      );
    }
    if (this.active >= maxCalls) {
      const share = Math.floor(maxCalls / (this.#busy + (held === 0 ? 1 : 0)));
      const heaviest = held < share ? this.#heaviest() : undefined;
      if (heaviest === undefined || heaviest.calls <= share) {
        return new RpcError(
          Status.RESOURCE_EXHAUSTED,
          `the server is serving its limit of ${maxCalls} calls`,
        );
      }
      heaviest.oldest!.shed(
        new RpcError(
          Status.RESOURCE_EXHAUSTED,
          `the server is full and this connection holds more than its share of ${share} calls`,
        ),
      );
    }
    if (held === 0) this.#busy++;
    connection._added(call);
    this.active++;
    return undefined;
  }

  /** An admitted call ended. */
  release(connection: ServerConnection, call: Sheddable): void {
    this.active--;
    connection._ended(call);
    // A connection already closed was no longer counted busy.
    if (connection.calls === 0 && this.#open.has(connection)) this.#busy--;
  }

  #heaviest(): ServerConnection | undefined {
    let heaviest: ServerConnection | undefined;
    for (const c of this.#open) if (heaviest === undefined || c.calls > heaviest.calls) heaviest = c;
    return heaviest;
  }
}

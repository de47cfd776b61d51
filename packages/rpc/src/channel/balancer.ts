/**
 * The selection policy of a channel: one small interface, four built in, or your own.
 */
import { RpcUsageError } from '../errors.js';
import { consistentHash } from './balancers/consistent-hash.js';
import { powerOfTwoChoices } from './balancers/p2c.js';
import { pickFirst } from './balancers/pick-first.js';
import { roundRobin } from './balancers/round-robin.js';
import type { EndpointView } from './endpoint.js';

/** What a balancer knows of the call it places. */
export interface PickInfo {
  /** `/<service>/<method>`. */
  readonly path: string;
  /** The call's `routingKey` option (consistent hashing), if any. */
  readonly routingKey: string | undefined;
}

/**
 * Chooses an endpoint for each call. `endpoints` are the endpoints the resolver gave, in its order
 * (without those a retrying call already failed on, while others remain); return one that is
 * `available`, or undefined when none is (the call then waits for one, or fails UNAVAILABLE).
 */
export interface Balancer {
  readonly name: string;
  pick(endpoints: readonly EndpointView[], info: PickInfo): EndpointView | undefined;
}

/** Names of the built-in balancers. */
export type BalancerName = 'pick-first' | 'round-robin' | 'p2c' | 'consistent-hash';

/** A balancer from its name (a fresh instance), or the one given. Default `p2c`. */
export function balancerFor(choice: BalancerName | Balancer | undefined): Balancer {
  if (choice === undefined || choice === 'p2c') return powerOfTwoChoices();
  if (typeof choice === 'object') return choice;
  if (choice === 'pick-first') return pickFirst;
  if (choice === 'round-robin') return roundRobin();
  if (choice === 'consistent-hash') return consistentHash();
  throw new RpcUsageError('RPC_ERR_INVALID_OPTION', `unknown balancer ${JSON.stringify(choice)}`);
}

import { RpcUsageError } from './errors.js';

/**
 * Interceptors wrap calls Koa-style: `async (ctx, next) => { before; await next(); after; }`.
 * `next()` runs the rest of the chain and then the call itself; it rejects with the call's
 * `RpcError` when the call fails, so an interceptor can observe, translate or (on the client)
 * replace the outcome. Throwing before `next()` fails the call without running it.
 */
export type Interceptor<C> = ((ctx: C, next: () => Promise<void>) => Promise<void>) & {
  /**
   * Asked at the start of each call when present: `false` leaves the interceptor out of that call,
   * which then costs what a call without it costs (OpenTelemetry's interceptors say `false` while
   * no SDK or propagator is registered).
   */
  enabled?: () => boolean;
};

/** The interceptors that take part in a call starting now. @internal */
export function activeInterceptors<C>(all: readonly Interceptor<C>[]): readonly Interceptor<C>[] {
  for (let i = 0; i < all.length; i++) {
    if (all[i]!.enabled !== undefined) return all.filter((x) => x.enabled === undefined || x.enabled());
  }
  return all;
}

/** Run `interceptors` around `last`. @internal */
export function runInterceptors<C>(
  interceptors: readonly Interceptor<C>[],
  ctx: C,
  last: () => Promise<void>,
): Promise<void> {
  const dispatch = (i: number): Promise<void> => {
    if (i === interceptors.length) return last();
    let called = false;
    try {
      return interceptors[i]!(ctx, () => {
        if (called) {
          return Promise.reject(
            new RpcUsageError('RPC_ERR_INVALID_STATE', 'next() called twice by an interceptor'),
          );
        }
        called = true;
        return dispatch(i + 1);
      });
    } catch (err) {
      return Promise.reject(err);
    }
  };
  return dispatch(0);
}

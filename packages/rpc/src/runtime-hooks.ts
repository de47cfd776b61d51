/**
 * What the call layer takes from the runtime it runs in, as small interfaces with inert defaults:
 * diagnostics channels (`node:diagnostics_channel`) and the scope of the handler running now
 * (`node:async_hooks`). The Node adapter (`src/node/runtime.ts`) provides Node's on import; in a
 * browser nothing is published and a call has no enclosing handler. The call layer itself imports
 * no Node module, so it bundles for a browser.
 * Internal to the package (the entry points export only what their users need of it).
 */

/** A diagnostics channel: the part of Node's `Channel` the call layer uses. */
export interface Publisher {
  readonly hasSubscribers: boolean;
  publish(message: unknown): void;
}

/** A tracing channel: the part of Node's `TracingChannel` the call layer uses. */
export interface TracingPublisher {
  readonly hasSubscribers: boolean;
  readonly start: Publisher;
  readonly end: Publisher;
  readonly asyncStart: Publisher;
  readonly asyncEnd: Publisher;
  readonly error: Publisher;
}

/** Async-context storage: the part of Node's `AsyncLocalStorage` the call layer uses. */
export interface ScopeStore<T> {
  getStore(): T | undefined;
  run<R>(store: T, fn: () => R): R;
}

/** A channel nobody listens to. */
export const INERT_PUBLISHER: Publisher = { hasSubscribers: false, publish() {} };

/** A tracing channel nobody listens to. */
export const INERT_TRACING: TracingPublisher = {
  hasSubscribers: false,
  start: INERT_PUBLISHER,
  end: INERT_PUBLISHER,
  asyncStart: INERT_PUBLISHER,
  asyncEnd: INERT_PUBLISHER,
  error: INERT_PUBLISHER,
};

/** A store with no async context: `getStore()` is always undefined. */
export function noScope<T>(): ScopeStore<T> {
  return { getStore: () => undefined, run: (_store, fn) => fn() };
}

/** What a runtime provides: channels by name, and a scope store. */
export interface RuntimeHooks {
  channel(name: string): Publisher;
  tracingChannel(name: string): TracingPublisher;
  scopeStore<T>(): ScopeStore<T>;
}

const installers: ((hooks: RuntimeHooks) => void)[] = [];
let installed: RuntimeHooks | undefined;

/** Register what a module builds from the runtime (run at once if a runtime is provided already). */
export function onRuntime(install: (hooks: RuntimeHooks) => void): void {
  installers.push(install);
  if (installed !== undefined) install(installed);
}

/** Install the runtime's hooks (the Node adapter does, on import). Later calls are ignored. */
export function provideRuntime(hooks: RuntimeHooks): void {
  if (installed !== undefined) return;
  installed = hooks;
  for (const install of installers) install(hooks);
}

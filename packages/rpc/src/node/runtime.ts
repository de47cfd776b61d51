/**
 * The Node runtime for the call layer, installed on import: diagnostics and tracing channels from
 * `node:diagnostics_channel`, the handler scope from `node:async_hooks`, and gzip from `node:zlib`.
 * The Node client and server import it; a browser build never does.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import dc from 'node:diagnostics_channel';
import { provideRuntime } from '../runtime-hooks.js';
import './gzip.js';

provideRuntime({
  channel: (name) => dc.channel(name),
  tracingChannel: (name) => dc.tracingChannel(name),
  scopeStore: () => new AsyncLocalStorage(),
});

/**
 * The protobuf-es runtime (`@bufbuild/protobuf`), loaded on first use: importing it costs ~80 ms,
 * which a msgpack-only process never pays. A process with protobuf services has it loaded already
 * (generated code imports it), so the load finishes within a few microtasks of the first
 * `server.add` or `createClient` of such a service; `server.listen` and a client's first calls
 * wait for it.
 * Internal to the package (the entry points export only what their users need of it).
 */
import type * as Binary from './binary.js';

let runtime: typeof Binary | undefined;
let loading: Promise<typeof Binary> | undefined;

/** Start loading the runtime (once); resolves when it is there. */
export function loadProtobuf(): Promise<typeof Binary> {
  loading ??= import('./binary.js').then((module) => {
    runtime = module;
    return module;
  });
  return loading;
}

/** The runtime, if loaded: undefined before the first `loadProtobuf()` has finished. */
export function protobufRuntime(): typeof Binary | undefined {
  return runtime;
}

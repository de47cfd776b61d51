/**
 * Typed `on` / `once` / `off` for an emitter whose events are listed in a map (event name →
 * argument tuple), the way @types/ws types the ws package: a listener of a listed event is checked
 * against its arguments, and any other name still takes any listener (so `once('open', resolve)`
 * compiles). Declare it on the class by declaration merging:
 * `interface WebSocket { on: Listen<WebSocketEvents, this>; once: …; off: … }`.
 */
export interface Listen<E extends { [K in keyof E]: unknown[] }, This> {
  <K extends keyof E & string>(event: K, listener: (...args: E[K]) => void): This;
  // biome-ignore lint/suspicious/noExplicitAny: the catch-all overload every EventEmitter has
  (event: string | symbol, listener: (...args: any[]) => void): This;
}

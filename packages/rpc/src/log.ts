/**
 * Debug logging of what a client's channel does on its own — endpoint states (connecting, ready,
 * failures with their cause), ejections, retries, resolver changes — to a pino-shaped `logger`
 * option (in Node also `NODE_DEBUG=weft`, see `node/debug-log.ts`). Silent and free otherwise.
 */

/** A pino-shaped logger: a structured object first, then a message. */
export interface Logger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/**
 * The service the browser tests call: defined once, imported by the server (Node) and bundled into
 * the page, as a shared contract module is in an application.
 */
import { bidiStream, clientStream, defineService, serverStream, unary } from '../../src/service.js';

export interface Msg {
  text?: string;
  n?: number;
  bytes?: Uint8Array;
  sleepMs?: number;
  size?: number;
  code?: number;
}

export const WebTest = defineService('weft.test.v1.WebTest', {
  /** Echoes, with a response header and trailer; gzips the response when asked to (`n === 1`). */
  echo: unary<Msg, Msg>(),
  /** `n` messages. */
  count: serverStream<Msg, Msg>(),
  /** The sum of every request's `n`. */
  sum: clientStream<Msg, Msg>(),
  /** Each request back, as it comes. */
  chat: bidiStream<Msg, Msg>(),
  /** Fails with status `code`, an ErrorInfo detail and the message `text`. */
  fail: unary<Msg, Msg>(),
  /** Answers after `sleepMs` (or when the call ends). */
  sleep: unary<Msg, Msg>(),
  /** A message every `sleepMs` until the call ends. */
  ticks: serverStream<Msg, Msg>(),
  /** `n` messages of `size` bytes, as fast as the reader lets it. */
  flood: serverStream<Msg, Msg>(),
});

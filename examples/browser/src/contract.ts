/**
 * The contract the page and the server share: one module, imported by both. It imports from
 * `@weft/rpc/web`, which has no Node in it, so the page's bundle can take it as it is.
 */
import { bidiStream, defineService, serverStream } from '@weft/rpc/web';

/** A tick of the live counter. */
export interface Tick {
  n: number;
  /** Server time, epoch ms. */
  at: number;
}

/** A chat line as a member sends it. */
export interface Say {
  user: string;
  text: string;
}

/** A chat line as the room passes it on. */
export interface Said extends Say {
  at: number;
}

/** Longest user name and message the room takes. */
export const MAX_USER = 40;
export const MAX_TEXT = 500;

export const Live = defineService('weft.example.browser.v1.Live', {
  /** A number that goes up every `everyMs` (default 1 s), until the call ends. */
  counter: serverStream<{ everyMs?: number }, Tick>(),
  /** Join the room: what you send goes to everyone in it, and you get what anyone sends. */
  chat: bidiStream<Say, Said>(),
});

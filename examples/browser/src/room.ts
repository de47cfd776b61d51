/**
 * The chat room: every member's call gets every line anyone says. A member who does not read
 * cannot make the server hold its lines for ever: past `MAX_BACKLOG` unread lines its call ends
 * with RESOURCE_EXHAUSTED, and the others carry on.
 */
import { RpcError, type ServerCallContext, Status } from '@weft/rpc';
import { MAX_TEXT, MAX_USER, type Said, type Say } from './contract.js';

/** Unread lines a member may have before the room drops it. */
export const MAX_BACKLOG = 256;
/** Members at once; one more is refused. */
export const MAX_MEMBERS = 1000;

/** One member's unread lines. */
class Inbox {
  readonly lines: Said[] = [];
  overflowed = false;
  wake: (() => void) | undefined;

  push(line: Said): void {
    if (this.lines.length >= MAX_BACKLOG) this.overflowed = true;
    else this.lines.push(line);
    this.wake?.();
  }
}

export class Room {
  readonly #members = new Set<Inbox>();

  get size(): number {
    return this.#members.size;
  }

  /** A member's call: its lines go to the room, the room's lines come back. */
  async *join(said: AsyncIterable<Say>, ctx: ServerCallContext): AsyncGenerator<Said> {
    if (this.#members.size >= MAX_MEMBERS) throw new RpcError(Status.RESOURCE_EXHAUSTED, 'the room is full');
    const inbox = new Inbox();
    this.#members.add(inbox);
    let ended = false;
    let failure: RpcError | undefined;
    const wake = () => inbox.wake?.();
    ctx.signal.addEventListener('abort', wake, { once: true });
    // The member's own lines, read alongside: a bad one ends its call.
    void (async () => {
      try {
        for await (const line of said) this.#broadcast(checked(line));
      } catch (err) {
        failure = err instanceof RpcError ? err : new RpcError(Status.CANCELLED, 'the member left');
      } finally {
        ended = true;
        wake();
      }
    })();
    try {
      for (;;) {
        if (inbox.overflowed)
          throw new RpcError(Status.RESOURCE_EXHAUSTED, `more than ${MAX_BACKLOG} unread lines`);
        const line = inbox.lines.shift();
        if (line !== undefined) yield line;
        else if (failure !== undefined) throw failure;
        else if (ended || ctx.cancelled) return;
        else await new Promise<void>((resolve) => (inbox.wake = resolve));
      }
    } finally {
      inbox.wake = undefined;
      ctx.signal.removeEventListener('abort', wake);
      this.#members.delete(inbox);
    }
  }

  #broadcast(line: Say): void {
    const said: Said = { user: line.user, text: line.text, at: Date.now() };
    for (const member of this.#members) member.push(said);
  }
}

/** `line` if it is a well-formed chat line. @throws {RpcError} INVALID_ARGUMENT */
function checked(line: Say): Say {
  if (typeof line?.user !== 'string' || typeof line.text !== 'string')
    throw new RpcError(Status.INVALID_ARGUMENT, 'a line is { user: string, text: string }');
  if (line.user.length === 0 || line.user.length > MAX_USER)
    throw new RpcError(Status.INVALID_ARGUMENT, `a user name has 1 to ${MAX_USER} characters`);
  if (line.text.length === 0 || line.text.length > MAX_TEXT)
    throw new RpcError(Status.INVALID_ARGUMENT, `a line has 1 to ${MAX_TEXT} characters`);
  return line;
}

import type { HeaderField } from './encoder.js';

/**
 * A header block the encoder wrote with indexed representations only, and the state it was written
 * against. Given the same fields and an unchanged dynamic table, encoding gives the same bytes: an
 * indexed field's representation depends only on the tables, never on the repeat statistics.
 */
export interface Memo {
  readonly names: readonly string[];
  readonly values: readonly string[];
  readonly marked: readonly boolean[];
  /** Which fields updated the repeat statistics: a replay updates them the same way. */
  readonly observed: readonly boolean[];
  readonly bytes: Uint8Array;
  /** The encoder's table version when the block was written. */
  readonly version: number;
}

/** Slots kept: a connection's request, response and trailer blocks, and one more. */
const SLOTS = 4;

/**
 * The last few all-indexed blocks an encoder wrote, so that a connection sending the same header
 * list again and again (every call of an RPC method) replays bytes instead of looking each field up.
 */
export class BlockMemo {
  readonly #slots: (Memo | undefined)[] = new Array(SLOTS).fill(undefined);
  #next = 0;

  /** The memo for `fields` written against table `version`, if any. */
  find(fields: readonly HeaderField[], version: number): Memo | undefined {
    for (const memo of this.#slots) {
      if (memo !== undefined && memo.version === version && matches(memo, fields)) return memo;
    }
    return undefined;
  }

  remember(memo: Memo): void {
    this.#slots[this.#next] = memo;
    this.#next = (this.#next + 1) % SLOTS;
  }
}

function matches(memo: Memo, fields: readonly HeaderField[]): boolean {
  if (memo.names.length !== fields.length) return false;
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!;
    if (field[0] !== memo.names[i] || field[1] !== memo.values[i] || (field[2] === true) !== memo.marked[i])
      return false;
  }
  return true;
}

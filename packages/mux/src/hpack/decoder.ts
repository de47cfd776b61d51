import { DynamicTable, ENTRY_OVERHEAD } from './dynamic-table.js';
import type { HeaderField } from './encoder.js';
import { HpackError, HpackUsageError } from './errors.js';
import { huffmanDecode } from './huffman.js';
import { type Cursor, readInteger } from './integer.js';
import { STATIC_TABLE, STATIC_TABLE_LENGTH } from './static-table.js';
import { latin1 } from './strings.js';

/** Options of {@link HpackDecoder}. */
export interface HpackDecoderOptions {
  /**
   * The SETTINGS_HEADER_TABLE_SIZE this side advertised: the most the peer's encoder may use.
   * Default 4096.
   */
  maxTableSize?: number;
  /**
   * Largest decoded header list, counted as RFC 9113 §6.5.2 does (name + value + 32 per field) while
   * decoding, so an HPACK bomb (CVE-2016-6581: one large entry referenced by many one-byte indices)
   * stops at the limit. Default 65536.
   */
  maxHeaderListSize?: number;
}

/**
 * HPACK decoder (RFC 7541). One per connection direction; blocks must be decoded in the order they
 * were sent. Any error leaves the decoder's table out of step with the peer's encoder: the connection
 * must end (HTTP/2 COMPRESSION_ERROR).
 *
 * @example
 * const dec = new HpackDecoder({ maxHeaderListSize: 16384 });
 * for (const [name, value] of dec.decode(block)) ...
 */
export class HpackDecoder {
  readonly #table: DynamicTable;
  #maxTableSize: number;
  readonly #maxHeaderListSize: number;
  /** Set when our limit fell below the table's size: the next block must open with an update. */
  #updateRequired = false;
  readonly #cursor: Cursor = { pos: 0 };
  #scratch: Uint8Array = new Uint8Array(256);

  /** @throws {HpackUsageError} `HPACK_ERR_INVALID_OPTION` */
  constructor(options: HpackDecoderOptions = {}) {
    const maxTableSize = options.maxTableSize ?? 4096;
    const maxHeaderListSize = options.maxHeaderListSize ?? 65536;
    checkLimit('maxTableSize', maxTableSize);
    checkLimit('maxHeaderListSize', maxHeaderListSize);
    this.#maxTableSize = maxTableSize;
    this.#maxHeaderListSize = maxHeaderListSize;
    this.#table = new DynamicTable(maxTableSize);
  }

  /** The limit the peer's table size updates may not exceed. */
  get maxTableSize(): number {
    return this.#maxTableSize;
  }

  /** Current size of the dynamic table (RFC 7541 §4.1 bytes). */
  get size(): number {
    return this.#table.size;
  }

  /** Current maximum size of the dynamic table, as the peer last set it. */
  get tableSize(): number {
    return this.#table.maxSize;
  }

  /** Entries of the dynamic table, newest first (for tests and diagnostics). */
  entries(): [string, string][] {
    const out: [string, string][] = [];
    for (let i = 1; i <= this.#table.length; i++) out.push([this.#table.name(i)!, this.#table.value(i)]);
    return out;
  }

  /**
   * Apply a new SETTINGS_HEADER_TABLE_SIZE once the peer acknowledged it. If it is below the table's
   * current maximum, RFC 7541 §4.2 requires the peer's next block to open with a size update.
   * @throws {HpackUsageError} `HPACK_ERR_INVALID_OPTION`
   */
  setMaxTableSize(size: number): void {
    checkLimit('maxTableSize', size);
    this.#maxTableSize = size;
    if (size < this.#table.maxSize) {
      this.#updateRequired = true;
      this.#table.setMaxSize(size);
    }
  }

  /**
   * Decode one complete header block (the HEADERS or PUSH_PROMISE fragment plus its CONTINUATIONs).
   * Never-indexed fields come back with a third element `true`, so an intermediary can keep them so.
   * Fields that are table entries are the tables' own pairs, shared between blocks: read-only.
   * @throws {HpackError} with the violation's code (see `HpackErrorCode`).
   */
  decode(block: Uint8Array): HeaderField[] {
    const fields: HeaderField[] = [];
    const cursor = this.#cursor;
    cursor.pos = 0;
    const table = this.#table;
    let listSize = 0;
    let fieldsSeen = false;
    while (cursor.pos < block.length) {
      const b = block[cursor.pos]!;
      let name: string;
      let value: string;
      let neverIndexed = false;
      // A field that is a table entry is handed out as that entry's own pair, not a copy.
      let shared: readonly [string, string] | undefined;
      if (b & 0x80) {
        // §6.1 Indexed Header Field.
        const index = readInteger(block, cursor, 7);
        if (index === 0) throw new HpackError('HPACK_ERR_INDEX', 'index 0 is not a field');
        shared = index <= STATIC_TABLE_LENGTH ? STATIC_TABLE[index - 1]! : this.#entry(index);
        [name, value] = shared;
      } else if (b & 0x40) {
        // §6.2.1 Literal Header Field with Incremental Indexing.
        const index = readInteger(block, cursor, 6);
        name = index === 0 ? this.#string(block, listSize) : this.#name(index);
        value = this.#string(block, listSize + name.length);
        shared = [name, value];
        table.addEntry(shared);
      } else if (b & 0x20) {
        // §6.3 Dynamic Table Size Update: "MUST occur at the beginning of the first header block".
        if (fieldsSeen)
          throw new HpackError('HPACK_ERR_TABLE_SIZE', 'table size update after a header field');
        const size = readInteger(block, cursor, 5);
        if (size > this.#maxTableSize) {
          throw new HpackError(
            'HPACK_ERR_TABLE_SIZE',
            `table size update to ${size} exceeds the limit ${this.#maxTableSize}`,
          );
        }
        table.setMaxSize(size);
        this.#updateRequired = false;
        continue;
      } else {
        // §6.2.2 without indexing (0000) and §6.2.3 never indexed (0001).
        neverIndexed = (b & 0x10) !== 0;
        const index = readInteger(block, cursor, 4);
        name = index === 0 ? this.#string(block, listSize) : this.#name(index);
        value = this.#string(block, listSize + name.length);
      }
      if (this.#updateRequired) {
        throw new HpackError(
          'HPACK_ERR_TABLE_SIZE',
          'the block does not open with the table size update the new limit requires',
        );
      }
      fieldsSeen = true;
      listSize += name.length + value.length + ENTRY_OVERHEAD;
      if (listSize > this.#maxHeaderListSize) {
        throw new HpackError(
          'HPACK_ERR_HEADER_LIST_TOO_LARGE',
          `header list exceeds maxHeaderListSize ${this.#maxHeaderListSize}`,
        );
      }
      fields.push(shared ?? (neverIndexed ? [name, value, true] : [name, value]));
    }
    if (this.#updateRequired && block.length > 0) {
      throw new HpackError(
        'HPACK_ERR_TABLE_SIZE',
        'the block does not open with the table size update the new limit requires',
      );
    }
    return fields;
  }

  #name(index: number): string {
    return index <= STATIC_TABLE_LENGTH ? STATIC_TABLE[index - 1]![0] : this.#entry(index)[0];
  }

  /** The dynamic table's entry at HPACK `index` (above the static table). */
  #entry(index: number): readonly [string, string] {
    const entry = this.#table.entry(index - STATIC_TABLE_LENGTH);
    if (entry === undefined) {
      throw new HpackError(
        'HPACK_ERR_INDEX',
        `index ${index} is beyond the dynamic table (${this.#table.length} entries)`,
      );
    }
    return entry;
  }

  /**
   * Read a string literal (§5.2). `used` is the list size already counted: a string that could not
   * fit in what remains is refused before it is decoded or allocated.
   */
  #string(block: Uint8Array, used: number): string {
    const cursor = this.#cursor;
    if (cursor.pos >= block.length)
      throw new HpackError('HPACK_ERR_TRUNCATED', 'header block ends before a string');
    const huffman = (block[cursor.pos]! & 0x80) !== 0;
    const length = readInteger(block, cursor, 7);
    const start = cursor.pos;
    const end = start + length;
    if (end > block.length) throw new HpackError('HPACK_ERR_TRUNCATED', 'header block ends inside a string');
    const budget = this.#maxHeaderListSize - used - ENTRY_OVERHEAD;
    // A Huffman string decodes to at least length * 8 / 30 octets (no code is longer than 30 bits).
    const minimum = huffman ? Math.ceil((length * 8) / 30) : length;
    if (minimum > budget) {
      throw new HpackError(
        'HPACK_ERR_HEADER_LIST_TOO_LARGE',
        `header list exceeds maxHeaderListSize ${this.#maxHeaderListSize}`,
      );
    }
    cursor.pos = end;
    if (!huffman) return latin1(block, start, end);
    const capacity = Math.ceil((length * 8) / 5);
    if (this.#scratch.length < capacity)
      this.#scratch = new Uint8Array(Math.max(capacity, this.#scratch.length * 2));
    const n = huffmanDecode(block, start, end, this.#scratch, budget);
    if (n < 0) {
      throw new HpackError(
        'HPACK_ERR_HEADER_LIST_TOO_LARGE',
        `header list exceeds maxHeaderListSize ${this.#maxHeaderListSize}`,
      );
    }
    return latin1(this.#scratch, 0, n);
  }
}

function checkLimit(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > 0x7fff_ffff) {
    throw new HpackUsageError(
      'HPACK_ERR_INVALID_OPTION',
      `${name} must be an integer in [0, 2^31 - 1], got ${value}`,
    );
  }
}

import { BlockMemo } from './block-memo.js';
import { DynamicTable, entrySize } from './dynamic-table.js';
import { HpackUsageError } from './errors.js';
import { huffmanEncode, huffmanLength } from './huffman.js';
import { writeInteger } from './integer.js';
import { RepeatTracker } from './repeat-tracker.js';
import { STATIC_INDEX } from './static-table.js';
import { writeLatin1 } from './strings.js';

/**
 * A header field: name, value, and optionally `true` when it is sensitive (encoded "never indexed",
 * RFC 7541 §6.2.3, so that no intermediary indexes it either). Names are lowercase in HTTP/2.
 */
export type HeaderField = readonly [name: string, value: string, sensitive?: boolean];

/** When to Huffman-code strings. */
export type HuffmanPolicy = 'auto' | 'always' | 'never';

/** Options of {@link HpackEncoder}. */
export interface HpackEncoderOptions {
  /**
   * Maximum size of the encoder's dynamic table in RFC 7541 §4.1 bytes. Must not exceed the peer's
   * SETTINGS_HEADER_TABLE_SIZE. Default 4096 (the protocol's initial value).
   */
  tableSize?: number;
  /** `'auto'` (default): Huffman only when shorter. `'always'`, `'never'`: as they say. */
  huffman?: HuffmanPolicy;
  /**
   * Further fields to send never-indexed, besides the defaults (`authorization`,
   * `proxy-authorization`, and `cookie` values under 20 bytes, which are brute-forceable): a list of
   * names, or a predicate.
   */
  sensitive?: Iterable<string> | ((name: string, value: string) => boolean);
}

/** SETTINGS_HEADER_TABLE_SIZE before any SETTINGS: RFC 9113 §6.5.2. */
const INITIAL_TABLE_SIZE = 4096;

/** Largest table size the encoder accepts: 2^31 - 1 (any larger SETTINGS value is a protocol error). */
const MAX_TABLE_SIZE = 0x7fff_ffff;

/**
 * Repeat rate from which every value of a name gets a table slot on first sight. Below it, a value is
 * indexed only once it has recurred ("second chance"), so one-off values never evict useful entries.
 * Chosen on hpack-test-case raw-data (0.4-0.5 is the flat optimum; see the package README).
 */
const INDEX_THRESHOLD = 0.5;

/**
 * Largest entry worth indexing, as a fraction of the table: a bigger one would flush nearly
 * everything else for a single value (nghttp2 uses the same 3/4).
 */
const MAX_ENTRY_FRACTION = 0.75;

/** Names whose values are secrets by default. */
const SENSITIVE_NAMES = new Set(['authorization', 'proxy-authorization']);

/** RFC 7541 §7.1.3: "a cookie value of less than 20 bytes" is open to a brute-force attack if indexed. */
const SHORT_COOKIE = 20;

/**
 * HPACK encoder (RFC 7541). One per connection direction: its dynamic table mirrors the peer
 * decoder's, so blocks must be sent in the order they were encoded.
 *
 * @example
 * const enc = new HpackEncoder();
 * const block = enc.encode([[':method', 'GET'], [':path', '/'], ['authorization', token, true]]);
 */
export class HpackEncoder {
  readonly #table: DynamicTable;
  readonly #huffman: HuffmanPolicy;
  readonly #sensitiveNames: Set<string>;
  readonly #sensitiveTest: ((name: string, value: string) => boolean) | undefined;
  /** name → value → sequence number of the newest dynamic entry with that pair. */
  readonly #pairs = new Map<string, Map<string, number>>();
  /** name → sequence number of the newest dynamic entry with that name. */
  readonly #names = new Map<string, number>();
  /** Table size updates to emit at the start of the next block (the smallest, then the last). */
  #pendingSizes: number[] = [];
  readonly #repeats = new RepeatTracker(INDEX_THRESHOLD);
  #scratch: Uint8Array = new Uint8Array(1024);
  /** Changes whenever the dynamic table may have: every insertion (and its evictions), every resize. */
  #version = 0;
  readonly #memo = new BlockMemo();
  /** Set by #field: whether the field it wrote was an indexed representation, and observed. */
  #indexed = false;
  #observed = false;

  /** @throws {HpackUsageError} `HPACK_ERR_INVALID_OPTION` */
  constructor(options: HpackEncoderOptions = {}) {
    const tableSize = options.tableSize ?? 4096;
    checkTableSize(tableSize);
    const huffman = options.huffman ?? 'auto';
    if (huffman !== 'auto' && huffman !== 'always' && huffman !== 'never') {
      throw new HpackUsageError('HPACK_ERR_INVALID_OPTION', `huffman must be 'auto', 'always' or 'never'`);
    }
    this.#huffman = huffman;
    this.#table = new DynamicTable(tableSize, (name, value, seq) => this.#forget(name, value, seq));
    // Both tables start at the protocol's 4096 (RFC 9113 §6.5.2): any other size must be announced.
    if (tableSize !== INITIAL_TABLE_SIZE) this.#pendingSizes.push(tableSize);
    const s = options.sensitive;
    this.#sensitiveNames = new Set(SENSITIVE_NAMES);
    if (typeof s === 'function') this.#sensitiveTest = s;
    else if (s !== undefined) for (const n of s) this.#sensitiveNames.add(n.toLowerCase());
  }

  /** Current maximum size of the dynamic table. */
  get tableSize(): number {
    return this.#table.maxSize;
  }

  /** Current size of the dynamic table (RFC 7541 §4.1 bytes). */
  get size(): number {
    return this.#table.size;
  }

  /**
   * Change the dynamic table's maximum size (e.g. after the peer's SETTINGS_HEADER_TABLE_SIZE): the
   * next block starts with the size update(s) RFC 7541 §4.2 requires — the smallest size set since the
   * last block, then the final one.
   * @throws {HpackUsageError} `HPACK_ERR_INVALID_OPTION`
   */
  setTableSize(size: number): void {
    checkTableSize(size);
    const p = this.#pendingSizes;
    if (p.length === 0) p.push(size);
    else if (size < p[0]!) p.splice(0, p.length, size);
    else if (p.length === 1) p.push(size);
    else p[1] = size;
    this.#table.setMaxSize(size);
    this.#version++;
  }

  /**
   * Encode one header block.
   * @throws {HpackUsageError} `HPACK_ERR_INVALID_FIELD` for a non-string name or value, or a
   *   character above U+00FF.
   */
  encode(fields: Iterable<HeaderField>): Uint8Array {
    // The same list as a recent all-indexed block, on an unchanged table: the same bytes. (Not with a
    // `sensitive` predicate, which may answer differently for the same field.)
    const list = Array.isArray(fields) ? (fields as readonly HeaderField[]) : undefined;
    const memoable =
      list !== undefined && this.#pendingSizes.length === 0 && this.#sensitiveTest === undefined;
    if (memoable) {
      const memo = this.#memo.find(list, this.#version);
      if (memo !== undefined) {
        for (let i = 0; i < list.length; i++) {
          if (memo.observed[i]) this.#repeats.observe(memo.names[i]!, memo.values[i]!);
        }
        return memo.bytes.slice();
      }
    }
    return this.#encodeFields(fields, list, memoable);
  }

  /**
   * Encode field by field (and remember an all-indexed block). Apart from `encode`, whose memo hit
   * is the per-call path: V8 then compiles that path small and fast, and this one only if it is hot.
   */
  #encodeFields(
    fields: Iterable<HeaderField>,
    list: readonly HeaderField[] | undefined,
    memoable: boolean,
  ): Uint8Array {
    let out = this.#scratch;
    let at = 0;
    for (const size of this.#pendingSizes) {
      at = writeInteger(out, at, size, 5, 0x20);
    }
    this.#pendingSizes = [];
    let indexedOnly = memoable;
    const observed: boolean[] | undefined = memoable ? [] : undefined;
    for (const field of fields) {
      const [name, value] = field;
      if (typeof name !== 'string' || typeof value !== 'string') {
        throw new HpackUsageError('HPACK_ERR_INVALID_FIELD', 'header names and values must be strings');
      }
      // Worst case: 1 + 5 (name index or length) + name + 5 (value length) + value, where a string
      // forced into Huffman can take up to 30 bits per octet.
      const chars = name.length + value.length;
      const worst = at + 16 + (this.#huffman === 'always' ? 4 * chars : chars);
      if (worst > out.length) out = this.#grow(worst, at);
      at = this.#field(out, at, name, value, field[2] === true);
      if (indexedOnly) {
        indexedOnly = this.#indexed;
        observed!.push(this.#observed);
      }
    }
    const bytes = out.slice(0, at);
    if (indexedOnly) {
      this.#memo.remember({
        names: list!.map((f) => f[0]),
        values: list!.map((f) => f[1]),
        marked: list!.map((f) => f[2] === true),
        observed: observed!,
        bytes,
        version: this.#version,
      });
      return bytes.slice();
    }
    return bytes;
  }

  #field(out: Uint8Array, at: number, name: string, value: string, markedSensitive: boolean): number {
    const sensitive =
      markedSensitive ||
      this.#sensitiveNames.has(name) ||
      (name === 'cookie' && value.length < SHORT_COOKIE) ||
      (this.#sensitiveTest?.(name, value) ?? false);
    const stat = STATIC_INDEX.get(name);
    this.#indexed = true;
    this.#observed = false;
    // 1. The whole field is in a table: one indexed representation (§6.1).
    const staticPair = stat?.values.get(value);
    if (staticPair !== undefined) return writeInteger(out, at, staticPair, 7, 0x80);
    this.#indexed = false;
    // 2. A sensitive field: never indexed, and its value is not even remembered for statistics.
    if (sensitive) return this.#literal(out, at, name, value, stat?.index ?? 0, false, true);
    const repeated = this.#repeats.observe(name, value);
    this.#observed = true;
    const seq = this.#pairs.get(name)?.get(value);
    if (seq !== undefined) {
      this.#indexed = true;
      return writeInteger(out, at, this.#table.indexOfSeq(seq), 7, 0x80);
    }
    // 3. A literal, given a table slot when its value has recurred or its name's values usually do.
    const index =
      (repeated || this.#repeats.worthIndexing(name)) &&
      entrySize(name, value) <= this.#table.maxSize * MAX_ENTRY_FRACTION;
    return this.#literal(out, at, name, value, stat?.index ?? 0, index, false);
  }

  /** A literal representation (§6.2), with the name by index when a table has it. */
  #literal(
    out: Uint8Array,
    at: number,
    name: string,
    value: string,
    staticName: number,
    index: boolean,
    sensitive: boolean,
  ): number {
    let nameIndex = staticName;
    if (nameIndex === 0) {
      const seq = this.#names.get(name);
      if (seq !== undefined) nameIndex = this.#table.indexOfSeq(seq);
    }
    if (index) at = writeInteger(out, at, nameIndex, 6, 0x40);
    else at = writeInteger(out, at, nameIndex, 4, sensitive ? 0x10 : 0x00);
    if (nameIndex === 0) at = this.#string(out, at, name);
    at = this.#string(out, at, value);
    if (index) {
      this.#version++;
      const seq = this.#table.add(name, value);
      if (seq >= 0) {
        let byValue = this.#pairs.get(name);
        if (byValue === undefined) {
          byValue = new Map();
          this.#pairs.set(name, byValue);
        }
        byValue.set(value, seq);
        this.#names.set(name, seq);
      }
    }
    return at;
  }

  /** Write a string literal (§5.2): Huffman when the policy says so and it is shorter. */
  #string(out: Uint8Array, at: number, s: string): number {
    if (this.#huffman !== 'never') {
      const h = huffmanLength(s);
      if (h < 0) {
        throw new HpackUsageError(
          'HPACK_ERR_INVALID_FIELD',
          'header strings are octets: characters above U+00FF cannot be sent',
        );
      }
      if (this.#huffman === 'always' || h < s.length) {
        at = writeInteger(out, at, h, 7, 0x80);
        return huffmanEncode(s, out, at);
      }
    }
    at = writeInteger(out, at, s.length, 7, 0x00);
    return writeLatin1(s, out, at);
  }

  /** The dynamic table evicted an entry: drop map entries that still point at it. */
  #forget(name: string, value: string, seq: number): void {
    const byValue = this.#pairs.get(name);
    if (byValue !== undefined && byValue.get(value) === seq) {
      byValue.delete(value);
      if (byValue.size === 0) this.#pairs.delete(name);
    }
    if (this.#names.get(name) === seq) this.#names.delete(name);
  }

  #grow(needed: number, used: number): Uint8Array {
    const next = new Uint8Array(Math.max(needed, this.#scratch.length * 2));
    next.set(this.#scratch.subarray(0, used));
    this.#scratch = next;
    return next;
  }
}

function checkTableSize(size: number): void {
  if (!Number.isInteger(size) || size < 0 || size > MAX_TABLE_SIZE) {
    throw new HpackUsageError(
      'HPACK_ERR_INVALID_OPTION',
      `table size must be an integer in [0, 2^31 - 1], got ${size}`,
    );
  }
}

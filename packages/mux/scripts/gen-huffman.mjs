#!/usr/bin/env node
// Generates src/hpack/huffman-table.ts from the HPACK Huffman code of RFC 7541 Appendix B.
//
//   node packages/mux/scripts/gen-huffman.mjs
//
// The RFC's code is canonical (codes of equal length are consecutive, in symbol order, shorter codes
// first), so the 257 code lengths below determine every code. The script rebuilds the codes, checks
// them against values printed in Appendix B, checks the code is complete (Kraft sum exactly 1), and
// builds a decoding state machine that consumes 4 bits at a time.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// RFC 7541 Appendix B, column "len in bits", symbols 0..255 then EOS (256).
const LENGTHS = [
  13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28,
  28, 28, 28, 28, 28, 6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6, 5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7,
  8, 15, 6, 12, 10, 13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19,
  13, 14, 6, 15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5, 6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13,
  28, 20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23, 24, 24, 22, 23, 24, 23, 23, 23, 23, 21,
  22, 23, 22, 23, 23, 24, 22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23, 21, 21, 22, 21, 23,
  22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23, 26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25,
  19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27, 20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25,
  25, 24, 24, 26, 23, 26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26, 30,
];

// Codes as printed in RFC 7541 Appendix B ("code as hex"), for a check of the reconstruction.
const PRINTED = {
  0: [0x1ff8, 13],
  1: [0x7fffd8, 23],
  2: [0xfffffe2, 28],
  9: [0xffffea, 24],
  10: [0x3ffffffc, 30],
  13: [0x3ffffffd, 30],
  22: [0x3ffffffe, 30],
  32: [0x14, 6],
  48: [0x0, 5],
  97: [0x3, 5],
  256: [0x3fffffff, 30],
};

if (LENGTHS.length !== 257) throw new Error(`expected 257 lengths, got ${LENGTHS.length}`);

// Canonical code assignment.
const order = LENGTHS.map((_, s) => s).sort((a, b) => LENGTHS[a] - LENGTHS[b] || a - b);
const CODES = new Array(257);
let code = 0;
let prevLen = LENGTHS[order[0]];
for (const s of order) {
  code *= 2 ** (LENGTHS[s] - prevLen);
  prevLen = LENGTHS[s];
  CODES[s] = code;
  code++;
}
for (const [s, [c, l]] of Object.entries(PRINTED)) {
  if (CODES[s] !== c || LENGTHS[s] !== l)
    throw new Error(
      `symbol ${s}: built ${CODES[s].toString(16)}/${LENGTHS[s]}, RFC prints ${c.toString(16)}/${l}`,
    );
}
const kraft = LENGTHS.reduce((sum, l) => sum + 2 ** -l, 0);
if (kraft !== 1) throw new Error(`code is not complete: Kraft sum ${kraft}`);

// The code tree: internal nodes are decoder states, root = state 0.
const children = [[-1, -1]]; // per internal node: child ids; leaves are encoded as -(sym + 2)
const depth = [0];
const allOnes = [true];
for (let s = 0; s < 257; s++) {
  let node = 0;
  for (let i = LENGTHS[s] - 1; i >= 0; i--) {
    const bit = Math.floor(CODES[s] / 2 ** i) % 2;
    if (i === 0) {
      children[node][bit] = -(s + 2);
    } else {
      let next = children[node][bit];
      if (next === -1) {
        next = children.length;
        children.push([-1, -1]);
        depth.push(depth[node] + 1);
        allOnes.push(allOnes[node] && bit === 1);
        children[node][bit] = next;
      }
      node = next;
    }
  }
}
if (children.length !== 256) throw new Error(`expected 256 internal nodes, got ${children.length}`);

// Transition table: for each state and nibble, the state after the 4 bits, the symbol completed on
// the way (at most one: no code is shorter than 5 bits), and flags.
const FLAG_SYMBOL = 1 << 16; // a symbol was completed
const FLAG_ACCEPT = 1 << 17; // ending the string here is valid: the bits since the last symbol are
//                              at most 7 and all ones (RFC 7541 §5.2 padding)
const FLAG_FAIL = 1 << 18; // EOS was decoded: "MUST be treated as a decoding error"
const table = [];
for (let state = 0; state < 256; state++) {
  for (let nibble = 0; nibble < 16; nibble++) {
    let node = state;
    let sym = -1;
    let fail = false;
    for (let i = 3; i >= 0; i--) {
      const next = children[node][(nibble >> i) & 1];
      if (next < -1) {
        const s = -next - 2;
        if (s === 256) fail = true;
        else sym = s;
        node = 0;
      } else node = next;
    }
    const accept = allOnes[node] && depth[node] <= 7;
    let entry = node;
    if (sym >= 0) entry |= (sym << 8) | FLAG_SYMBOL;
    if (accept) entry |= FLAG_ACCEPT;
    if (fail) entry = FLAG_FAIL;
    table.push(entry);
  }
}

const hex = (n) => `0x${n.toString(16)}`;
const rows = [];
for (let state = 0; state < 256; state++)
  rows.push(
    `  ${table
      .slice(state * 16, state * 16 + 16)
      .map(hex)
      .join(', ')},`,
  );
const chunk = (arr, per) => {
  const out = [];
  for (let i = 0; i < arr.length; i += per) out.push(`  ${arr.slice(i, i + per).join(', ')},`);
  return out.join('\n');
};

const source = `// GENERATED by packages/mux/scripts/gen-huffman.mjs from RFC 7541 Appendix B. Do not edit.
// Regenerate with: node packages/mux/scripts/gen-huffman.mjs

/** Huffman code of each symbol (0-255, 256 = EOS), right-aligned: RFC 7541 Appendix B "code as hex". */
export const HUFFMAN_CODES: Uint32Array = Uint32Array.from([
${chunk(CODES.map(hex), 10)}
]);

/** Length in bits of each symbol's code: RFC 7541 Appendix B "len in bits". */
export const HUFFMAN_LENGTHS: Uint8Array = Uint8Array.from([
${chunk(LENGTHS, 24)}
]);

/** Set in a {@link HUFFMAN_DECODE} entry when the nibble completed a symbol (in bits 8-15). */
export const HUFFMAN_SYMBOL = ${hex(FLAG_SYMBOL)};
/** Set when the input may end after this nibble: the pending bits are <= 7 ones (valid padding). */
export const HUFFMAN_ACCEPT = ${hex(FLAG_ACCEPT)};
/** Set when the nibble completed EOS, which a string must never contain. */
export const HUFFMAN_FAIL = ${hex(FLAG_FAIL)};

/**
 * Decoding state machine, 4 bits per step: entry \`[state * 16 + nibble]\` holds the next state (bits
 * 0-7), the completed symbol (bits 8-15) and the flags above. State 0 is the root of the code tree.
 */
export const HUFFMAN_DECODE: Uint32Array = Uint32Array.from([
${rows.join('\n')}
]);
`;

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'hpack', 'huffman-table.ts');
writeFileSync(out, source);
console.log(`wrote ${out}: 257 codes, ${table.length} transitions`);

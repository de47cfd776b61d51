/** RFC 7541 Appendix C examples, each named by its section. Vectors from the RFC. */
import { describe, expect, it } from 'vitest';
import { HpackDecoder } from '../../src/hpack/decoder.js';
import { type HeaderField, HpackEncoder } from '../../src/hpack/encoder.js';
import { hex, toHex } from './helpers.js';

interface Step {
  section: string;
  wire: string;
  headers: HeaderField[];
  table: [string, string][];
  size: number;
}

const C3: Step[] = [
  {
    section: 'C.3.1',
    wire: '828684410f7777772e6578616d706c652e636f6d',
    headers: [
      [':method', 'GET'],
      [':scheme', 'http'],
      [':path', '/'],
      [':authority', 'www.example.com'],
    ],
    table: [[':authority', 'www.example.com']],
    size: 57,
  },
  {
    section: 'C.3.2',
    wire: '828684be58086e6f2d6361636865',
    headers: [
      [':method', 'GET'],
      [':scheme', 'http'],
      [':path', '/'],
      [':authority', 'www.example.com'],
      ['cache-control', 'no-cache'],
    ],
    table: [
      ['cache-control', 'no-cache'],
      [':authority', 'www.example.com'],
    ],
    size: 110,
  },
  {
    section: 'C.3.3',
    wire: '828785bf400a637573746f6d2d6b65790c637573746f6d2d76616c7565',
    headers: [
      [':method', 'GET'],
      [':scheme', 'https'],
      [':path', '/index.html'],
      [':authority', 'www.example.com'],
      ['custom-key', 'custom-value'],
    ],
    table: [
      ['custom-key', 'custom-value'],
      ['cache-control', 'no-cache'],
      [':authority', 'www.example.com'],
    ],
    size: 164,
  },
];

const C4: Step[] = [
  { ...C3[0]!, section: 'C.4.1', wire: '828684418cf1e3c2e5f23a6ba0ab90f4ff' },
  { ...C3[1]!, section: 'C.4.2', wire: '828684be5886a8eb10649cbf' },
  { ...C3[2]!, section: 'C.4.3', wire: '828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf' },
];

const date1 = 'Mon, 21 Oct 2013 20:13:21 GMT';
const date2 = 'Mon, 21 Oct 2013 20:13:22 GMT';
const cookie = 'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1';
const loc = 'https://www.example.com';
const C5: Step[] = [
  {
    section: 'C.5.1',
    wire: '4803333032580770726976617465611d4d6f6e2c203231204f637420323031332032303a31333a323120474d546e1768747470733a2f2f7777772e6578616d706c652e636f6d',
    headers: [
      [':status', '302'],
      ['cache-control', 'private'],
      ['date', date1],
      ['location', loc],
    ],
    table: [
      ['location', loc],
      ['date', date1],
      ['cache-control', 'private'],
      [':status', '302'],
    ],
    size: 222,
  },
  {
    section: 'C.5.2',
    wire: '4803333037c1c0bf',
    headers: [
      [':status', '307'],
      ['cache-control', 'private'],
      ['date', date1],
      ['location', loc],
    ],
    table: [
      [':status', '307'],
      ['location', loc],
      ['date', date1],
      ['cache-control', 'private'],
    ],
    size: 222,
  },
  {
    section: 'C.5.3',
    wire: '88c1611d4d6f6e2c203231204f637420323031332032303a31333a323220474d54c05a04677a69707738666f6f3d4153444a4b48514b425a584f5157454f50495541585157454f49553b206d61782d6167653d333630303b2076657273696f6e3d31',
    headers: [
      [':status', '200'],
      ['cache-control', 'private'],
      ['date', date2],
      ['location', loc],
      ['content-encoding', 'gzip'],
      ['set-cookie', cookie],
    ],
    table: [
      ['set-cookie', cookie],
      ['content-encoding', 'gzip'],
      ['date', date2],
    ],
    size: 215,
  },
];

const C6: Step[] = [
  {
    ...C5[0]!,
    section: 'C.6.1',
    wire: '488264025885aec3771a4b6196d07abe941054d444a8200595040b8166e082a62d1bff6e919d29ad171863c78f0b97c8e9ae82ae43d3',
  },
  { ...C5[1]!, section: 'C.6.2', wire: '4883640effc1c0bf' },
  {
    ...C5[2]!,
    section: 'C.6.3',
    wire: '88c16196d07abe941054d444a8200595040b8166e084a62d1bffc05a839bd9ab77ad94e7821dd7f2e6c7b335dfdfcd5b3960d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d5007',
  },
];

describe('RFC 7541 C.2: header field representations', () => {
  it('C.2.1 literal with indexing', () => {
    const d = new HpackDecoder();
    expect(d.decode(hex('400a637573746f6d2d6b65790d637573746f6d2d686561646572'))).toEqual([
      ['custom-key', 'custom-header'],
    ]);
    expect(d.entries()).toEqual([['custom-key', 'custom-header']]);
    expect(d.size).toBe(55);
  });

  it('C.2.2 literal without indexing', () => {
    const d = new HpackDecoder();
    expect(d.decode(hex('040c2f73616d706c652f70617468'))).toEqual([[':path', '/sample/path']]);
    expect(d.size).toBe(0);
    // Our encoder never indexes :path, and does not Huffman-code when told not to: the same bytes.
    expect(toHex(new HpackEncoder({ huffman: 'never' }).encode([[':path', '/sample/path']]))).toBe(
      '040c2f73616d706c652f70617468',
    );
  });

  it('C.2.3 literal never indexed', () => {
    const d = new HpackDecoder();
    expect(d.decode(hex('100870617373776f726406736563726574'))).toEqual([['password', 'secret', true]]);
    expect(d.size).toBe(0);
    const e = new HpackEncoder({ huffman: 'never' });
    expect(toHex(e.encode([['password', 'secret', true]]))).toBe('100870617373776f726406736563726574');
    expect(
      toHex(new HpackEncoder({ huffman: 'never', sensitive: ['password'] }).encode([['password', 'secret']])),
    ).toBe('100870617373776f726406736563726574');
  });

  it('C.2.4 indexed field', () => {
    expect(new HpackDecoder().decode(hex('82'))).toEqual([[':method', 'GET']]);
    expect(toHex(new HpackEncoder().encode([[':method', 'GET']]))).toBe('82');
  });
});

function decodeSteps(steps: Step[], maxTableSize: number) {
  const d = new HpackDecoder({ maxTableSize });
  for (const step of steps) {
    it(`${step.section} decodes, leaving the table of the RFC`, () => {
      expect(d.decode(hex(step.wire))).toEqual(step.headers);
      expect(d.entries()).toEqual(step.table);
      expect(d.size).toBe(step.size);
    });
  }
}

function encodeSteps(steps: Step[], huffman: 'never' | 'always') {
  const e = new HpackEncoder({ huffman });
  for (const step of steps) {
    it(`${step.section} encodes to the RFC's bytes`, () => {
      expect(toHex(e.encode(step.headers))).toBe(step.wire);
      expect(e.size).toBe(step.size);
    });
  }
}

describe('RFC 7541 C.3: requests without Huffman', () => {
  decodeSteps(C3, 4096);
  encodeSteps(C3, 'never');
});

describe('RFC 7541 C.4: requests with Huffman', () => {
  decodeSteps(C4, 4096);
  encodeSteps(C4, 'always');
});

// The RFC's response examples index `location`, which our encoder deliberately does not (it rarely
// repeats), so only decoding is compared byte for byte; the encoder round-trips them below.
describe('RFC 7541 C.5: responses without Huffman, table size 256', () => {
  decodeSteps(C5, 256);
});

describe('RFC 7541 C.6: responses with Huffman, table size 256', () => {
  decodeSteps(C6, 256);
  it('C.6 headers round-trip through our encoder with a 256-byte table', () => {
    const e = new HpackEncoder({ tableSize: 256 });
    const d = new HpackDecoder({ maxTableSize: 256 });
    for (const step of C6) expect(d.decode(e.encode(step.headers))).toEqual(step.headers);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lines } from '../src/lines.js';
import { codecLaws } from '../src/testing/index.js';
import { bytes, expectBytes, expectCode, text, threeWays } from './helpers.js';

describe('lines', () => {
  it('lenient: LF or CRLF ends a line; one CR before LF is dropped', () => {
    threeWays(lines(), bytes('a\r\nb\nc\r\r\n'), [bytes('a'), bytes('b'), bytes('c\r')], bytes('d\r'));
  });

  it('strict: only CRLF ends a line, and a bare LF is rejected (SMTP smuggling)', () => {
    const codec = lines({ strict: true });
    threeWays(codec, bytes('HELO x\r\nDATA\r\n'), [bytes('HELO x'), bytes('DATA')], bytes('.\r'));
    expectCode(() => codec.decoder().push(bytes('body\n.\nMAIL FROM:<a>\r\n')), 'FRAMING_ERR_BARE_LF');
  });

  it('keeps line endings when stripDelimiter is false', () => {
    const d = lines({ stripDelimiter: false }).decoder();
    expect(d.push(bytes('a\r\nb\n')).map(text)).toEqual(['a\r\n', 'b\n']);
  });

  it('limits the line without its ending, in both modes', () => {
    for (const strict of [false, true]) {
      const codec = lines({ strict, maxFrameLength: 3 });
      expect(codec.decoder().push(bytes('abc\r\n')).map(text)).toEqual(['abc']);
      expectCode(() => codec.decoder().push(bytes('abcd\r\n')), 'FRAMING_ERR_FRAME_TOO_LARGE');
    }
    expectCode(
      () => lines({ maxFrameLength: 3 }).decoder().push(bytes('abcd\n')),
      'FRAMING_ERR_FRAME_TOO_LARGE',
    );
  });

  it('discard mode drops long lines and keeps going', () => {
    const dropped: number[] = [];
    const d = lines({ maxFrameLength: 3, oversize: 'discard', onDiscard: (n) => dropped.push(n) }).decoder();
    expect(d.push(bytes('abcd\nok\nlonger line\r\nend\n')).map(text)).toEqual(['ok', 'end']);
    expect(dropped.length).toBe(2);
  });

  it('encodes with CRLF by default, LF on request, and refuses LF inside a line', () => {
    expectBytes(lines().encode(bytes('x')), bytes('x\r\n'));
    expectBytes(lines({ eol: '\n' }).encode(bytes('x')), bytes('x\n'));
    expectCode(() => lines().encode(bytes('a\nb')), 'FRAMING_ERR_INVALID_PAYLOAD');
    expectCode(() => lines({ eol: '\n' }).encode(bytes('a\r')), 'FRAMING_ERR_INVALID_PAYLOAD');
    expectCode(() => lines({ strict: true, eol: '\n' }), 'FRAMING_ERR_INVALID_OPTION');
  });

  const payloads = fc.uint8Array({ maxLength: 120 }).map((p) => p.map((b) => (b === 0x0a ? 0x20 : b)));
  for (const strict of [false, true]) {
    const codec = lines({ strict, maxFrameLength: 120 });
    const peer = lines({ strict, maxFrameLength: 4096 });
    for (const law of codecLaws(codec, payloads, {
      params: { numRuns: 150 },
      oversize: { payloads: fc.constant(new Uint8Array(121).fill(0x41)), encode: (p) => peer.encode(p) },
    })) {
      it(law.name, () => law.check());
    }
  }
});

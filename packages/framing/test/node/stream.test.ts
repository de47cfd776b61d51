import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import { lengthPrefixed } from '../../src/length-prefix.js';
import { lines } from '../../src/lines.js';
import {
  createDecoderStream,
  createEncoderStream,
  decoderTransformStream,
  decodeStream,
  encoderTransformStream,
} from '../../src/node/index.js';
import { bytes, text } from '../helpers.js';

const codec = lengthPrefixed({ width: 2 });
const wire = Buffer.concat([
  codec.encode(bytes('alpha')),
  codec.encode(bytes('')),
  codec.encode(bytes('gamma')),
]);
const chunksOf = (b: Uint8Array, n: number) =>
  Array.from({ length: Math.ceil(b.length / n) }, (_, i) => b.subarray(i * n, i * n + n));

describe('decodeStream', () => {
  it('yields frames from a Readable, however it is chunked', async () => {
    for (const n of [1, 3, wire.length]) {
      const out: string[] = [];
      for await (const f of decodeStream(Readable.from(chunksOf(wire, n)), codec)) out.push(text(f));
      expect(out).toEqual(['alpha', '', 'gamma']);
    }
  });

  it('accepts string chunks and plain iterables', async () => {
    const out: string[] = [];
    for await (const f of decodeStream(['a\r\nb', 'c\n'], lines())) out.push(text(f));
    expect(out).toEqual(['a', 'bc']);
  });

  it('throws TRUNCATED at the end of a cut stream, after the complete frames', async () => {
    const out: string[] = [];
    await expect(
      (async () => {
        for await (const f of decodeStream(Readable.from([wire.subarray(0, wire.length - 1)]), codec))
          out.push(text(f));
      })(),
    ).rejects.toMatchObject({ code: 'FRAMING_ERR_TRUNCATED' });
    expect(out).toEqual(['alpha', '']);
  });

  it('yields the frames before a framing error, then throws it', async () => {
    const small = lengthPrefixed({ width: 2, maxFrameLength: 4 });
    const out: string[] = [];
    const input = Buffer.concat([small.encode(bytes('ok')), codec.encode(bytes('too long'))]);
    await expect(
      (async () => {
        for await (const f of decodeStream([input], small)) out.push(text(f));
      })(),
    ).rejects.toMatchObject({ code: 'FRAMING_ERR_FRAME_TOO_LARGE' });
    expect(out).toEqual(['ok']);
  });
});

describe('Transform streams', () => {
  it('encode → decode through a pipeline', async () => {
    const out: string[] = [];
    await pipeline(
      Readable.from([bytes('one'), bytes('two'), bytes('')], { objectMode: true }),
      createEncoderStream(codec),
      createDecoderStream(codec),
      async (source: AsyncIterable<Uint8Array>) => {
        for await (const f of source) out.push(text(f));
      },
    );
    expect(out).toEqual(['one', 'two', '']);
  });

  it('the decoder stream errors with the framing code; frames before it ride on err.frames', async () => {
    const small = lengthPrefixed({ width: 2, maxFrameLength: 4 });
    const err = await pipeline(
      Readable.from([
        small.encode(bytes('a')),
        Buffer.concat([small.encode(bytes('ok')), Buffer.from([0, 9])]),
      ]),
      createDecoderStream(small),
      async (source: AsyncIterable<Uint8Array>) => {
        for await (const _ of source);
      },
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'FRAMING_ERR_FRAME_TOO_LARGE' });
    expect((err as { frames: Uint8Array[] }).frames.map(text)).toEqual(['ok']);
  });

  it('the decoder stream reports truncation at the end', async () => {
    await expect(
      pipeline(
        Readable.from([wire.subarray(0, 3)]),
        createDecoderStream(codec),
        async (s: AsyncIterable<unknown>) => {
          for await (const _ of s);
        },
      ),
    ).rejects.toMatchObject({ code: 'FRAMING_ERR_TRUNCATED' });
  });

  it('the encoder stream errors on a payload it cannot frame', async () => {
    const enc = createEncoderStream(lengthPrefixed({ width: 1 }));
    const errored = new Promise((resolve) => enc.on('error', resolve));
    enc.write(new Uint8Array(300));
    await expect(errored).resolves.toMatchObject({ code: 'FRAMING_ERR_FRAME_TOO_LARGE' });
  });

  it('applies backpressure: with no reader, decoded frames and pending input both stay bounded', () => {
    const dec = createDecoderStream(codec);
    let written = 0;
    const frame = codec.encode(new Uint8Array(100));
    while (dec.write(frame) && written < 10_000) written++;
    // write() turns false once 16 frames wait on the readable side and 16 KiB wait on the writable side.
    expect(written).toBeLessThan(16 + Math.ceil(16_384 / frame.length) + 2);
    expect(dec.readableLength).toBeLessThanOrEqual(dec.readableHighWaterMark + 1);
    dec.destroy();
  });
});

describe('WHATWG TransformStreams', () => {
  it('encode → decode with pipeThrough', async () => {
    const source = new ReadableStream<Uint8Array>({
      start(c) {
        for (const p of ['x', 'yy', '']) c.enqueue(bytes(p));
        c.close();
      },
    });
    const out: string[] = [];
    const reader = source
      .pipeThrough(encoderTransformStream(codec))
      .pipeThrough(decoderTransformStream(codec))
      .getReader();
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      out.push(text(r.value));
    }
    expect(out).toEqual(['x', 'yy', '']);
  });

  it('errors the stream on truncation', async () => {
    const source = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(wire.subarray(0, 4));
        c.close();
      },
    });
    const reader = source.pipeThrough(decoderTransformStream(codec)).getReader();
    await expect(
      (async () => {
        for (;;) if ((await reader.read()).done) break;
      })(),
    ).rejects.toMatchObject({ code: 'FRAMING_ERR_TRUNCATED' });
  });
});

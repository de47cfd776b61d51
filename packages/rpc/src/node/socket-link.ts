import type { Socket } from 'node:net';
import { lengthPrefixed } from '@weft/framing';
import { TickFlusher } from '@weft/framing/node';
import { decodeEnvelope, type Envelope } from '../envelope.js';
import type { EnvelopeLink } from '../transport/envelope-client.js';

/** Ticks' worth of envelopes up to this size are copied into one write. */
const COALESCE_BYTES = 64 * 1024;

/**
 * Output a link may have waiting for the peer before it stops reading the peer's input: a peer
 * that sends calls and never reads the answers is slowed by TCP flow control instead of filling
 * this process's memory. @internal
 */
export const OUTPUT_HIGH_WATER = 1024 * 1024;

/**
 * Envelopes over a TCP or TLS socket: each one in a 4-byte big-endian length-prefixed frame
 * (`@weft/framing`). Everything sent in one tick leaves in one corked write. Frames over
 * `maxFrameBytes` and malformed envelopes close the socket. A server's link (`side` 'server')
 * stops reading while its output is backed up past `OUTPUT_HIGH_WATER`, so that a client that does
 * not read cannot make it buffer answers; a client's never does — both sides waiting for the other
 * to read would deadlock (16 concurrent 1 MiB echoes did). @internal
 */
export function socketLink(
  socket: Socket,
  side: 'client' | 'server',
  maxFrameBytes: number,
  onEnvelope: (envelope: Envelope) => void,
  onInput?: () => void,
): EnvelopeLink {
  const codec = lengthPrefixed({ width: 4, maxFrameLength: maxFrameBytes });
  const decoder = codec.decoder();
  // Everything sent in one tick is written once: small envelopes are framed into one buffer, large
  // ones go out as a corked writev (their bytes are not copied).
  let pending: Uint8Array[][] = [];
  let pendingBytes = 0;
  const flush = () => {
    const envelopes = pending;
    const bytes = pendingBytes;
    pending = [];
    pendingBytes = 0;
    if (envelopes.length === 0 || socket.destroyed) return;
    if (bytes > COALESCE_BYTES) {
      socket.cork();
      for (const parts of envelopes) {
        const length = partsLength(parts);
        const header = Buffer.allocUnsafe(codec.headerLength(length));
        codec.writeHeader(length, header, 0);
        socket.write(header);
        for (const p of parts) socket.write(p);
      }
      socket.uncork();
      backpressure();
      return;
    }
    const out = Buffer.allocUnsafe(bytes);
    let at = 0;
    for (const parts of envelopes) {
      at = codec.writeHeader(partsLength(parts), out, at);
      for (const p of parts) {
        out.set(p, at);
        at += p.length;
      }
    }
    socket.write(out);
    backpressure();
  };
  const flusher = new TickFlusher(flush);
  let paused = false;
  const backpressure = () => {
    if (side === 'client' || paused || socket.writableLength <= OUTPUT_HIGH_WATER) return;
    paused = true;
    socket.pause();
    socket.once('drain', () => {
      paused = false;
      socket.resume();
    });
  };
  socket.on('data', (chunk: Buffer) => {
    onInput?.();
    try {
      for (const frame of decoder.push(chunk)) onEnvelope(decodeEnvelope(frame));
    } catch {
      // A malformed frame or envelope: the peer loses this connection, and its calls fail.
      socket.destroy();
    }
  });
  return {
    send(parts) {
      if (socket.destroyed) return;
      flusher.queued();
      pending.push(parts);
      const length = partsLength(parts);
      pendingBytes += codec.headerLength(length) + length;
    },
    close(error) {
      if (error !== undefined) {
        socket.destroy();
        return;
      }
      // What was sent this tick still goes out, before the FIN.
      if (pending.length > 0) flush();
      socket.end();
    },
  };
}

function partsLength(parts: Uint8Array[]): number {
  let length = 0;
  for (const p of parts) length += p.length;
  return length;
}

/**
 * WebSocket frames, @weft/ws vs the ws package, side by side in one run: a client masks and frames
 * binary messages, a server parses and unmasks them (each frame handed over as its parts, as a
 * socket would deliver them), in messages per second, at 64 B and 16 KiB.
 */
import { randomFillSync } from 'node:crypto';
import { createRequire } from 'node:module';
import { encodeFrame, FrameParser } from '@weft/ws';
import type { MicroGroup } from '../src/micro.js';

const require = createRequire(import.meta.url);
const { Receiver, Sender } = require('ws') as {
  Receiver: new (o: object) => { write(b: Buffer): boolean; on(e: 'message', l: () => void): void };
  Sender: { frame(data: Buffer, o: object): Buffer[] };
};

const MESSAGES = 1000;
const BINARY = 0x2;

/** Masking keys from a random pool, refilled as ws does, so both sides pay the same for randomness. */
function maskSource(): () => Uint8Array {
  const pool = new Uint8Array(8192);
  let at = pool.length;
  return () => {
    if (at === pool.length) {
      randomFillSync(pool);
      at = 0;
    }
    at += 4;
    return pool.subarray(at - 4, at);
  };
}

function group(size: number): MicroGroup {
  const payload = Buffer.alloc(size, 0x61);
  const nextMask = maskSource();
  return {
    suite: 'ws',
    title: `frame + parse ${MESSAGES} masked binary messages of ${size} B`,
    unit: 'messages',
    cases: [
      {
        name: 'ws 8 Sender.frame + Receiver',
        baseline: true,
        unitsPerOp: MESSAGES,
        expect: MESSAGES,
        fn: () => {
          let n = 0;
          const receiver = new Receiver({ isServer: true, maxPayload: 1 << 26 });
          receiver.on('message', () => {
            n++;
          });
          for (let i = 0; i < MESSAGES; i++) {
            const parts = Sender.frame(payload, {
              fin: true,
              opcode: BINARY,
              mask: true,
              readOnly: true,
              rsv1: false,
            });
            for (const p of parts) receiver.write(p);
          }
          return n;
        },
      },
      {
        name: 'weft encodeFrame + FrameParser',
        unitsPerOp: MESSAGES,
        expect: MESSAGES,
        fn: () => {
          let n = 0;
          const parser = new FrameParser({ role: 'server', maxPayload: 1 << 26 });
          for (let i = 0; i < MESSAGES; i++) {
            for (const p of encodeFrame(BINARY, payload, { mask: nextMask() })) n += parser.push(p).length;
          }
          return n;
        },
      },
    ],
  };
}

/** The ws frames micro suite. */
export function wsFrameGroups(): MicroGroup[] {
  return [group(64), group(16 * 1024)];
}

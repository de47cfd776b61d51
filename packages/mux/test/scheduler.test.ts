/**
 * The send scheduler against a model: any sequence of pushes, serves, removals and priority changes
 * serves streams in the order the scheduler documents — lowest urgency first; explicit
 * non-incremental streams one at a time by id; then light streams (≤ 16 KiB queued) round-robin;
 * then large ones, unsignalled ones keeping their turn for up to 1 MiB.
 */
import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import type { Priority } from '../src/priority.js';
import { LIGHT_BYTES, type Schedulable, Scheduler, TURN_BYTES } from '../src/scheduler.js';

interface S extends Schedulable {
  priority: Priority;
}

const stream = (id: number): S => ({
  id,
  priority: { urgency: 3, incremental: false, explicit: false },
  pendingBytes: 0,
  queued: false,
  schedPrev: undefined,
  schedNext: undefined,
  schedLane: undefined,
});

/** The model, as plain arrays: per urgency a sorted list (sequential), and two FIFOs. */
class Model {
  seq: S[][] = Array.from({ length: 8 }, () => []);
  light: S[][] = Array.from({ length: 8 }, () => []);
  heavy: S[][] = Array.from({ length: 8 }, () => []);
  turn: { s: S; bytes: number } | undefined;
  where = new Map<S, S[]>();
  has(s: S) {
    return this.where.has(s);
  }
  size() {
    return this.where.size;
  }
  #insert(s: S, front: boolean) {
    const u = s.priority.urgency;
    let lane: S[];
    if (s.priority.explicit && !s.priority.incremental) {
      lane = this.seq[u]!;
      lane.push(s);
      lane.sort((a, b) => a.id - b.id);
    } else {
      lane = s.pendingBytes <= LIGHT_BYTES ? this.light[u]! : this.heavy[u]!;
      if (front) lane.unshift(s);
      else lane.push(s);
    }
    this.where.set(s, lane);
  }
  push(s: S) {
    if (this.has(s)) return;
    if (this.turn?.s === s) this.turn = undefined;
    this.#insert(s, false);
  }
  served(s: S, sent: number) {
    let keep = false;
    if (!s.priority.explicit && s.pendingBytes > LIGHT_BYTES) {
      if (this.turn?.s !== s) this.turn = { s, bytes: 0 };
      this.turn.bytes += sent;
      keep = this.turn.bytes < TURN_BYTES;
    }
    if (!keep && this.turn?.s === s) this.turn = undefined;
    this.#insert(s, keep);
  }
  #unlink(s: S) {
    const lane = this.where.get(s)!;
    lane.splice(lane.indexOf(s), 1);
    this.where.delete(s);
  }
  remove(s: S) {
    if (!this.has(s)) return;
    this.#unlink(s);
    if (this.turn?.s === s) this.turn = undefined;
  }
  shift(): S | undefined {
    for (let u = 0; u < 8; u++) {
      const s = this.seq[u]![0] ?? this.light[u]![0] ?? this.heavy[u]![0];
      if (s !== undefined) {
        this.#unlink(s);
        return s;
      }
    }
    return undefined;
  }
}

const priority = fc.record({
  urgency: fc.integer({ min: 0, max: 7 }),
  incremental: fc.boolean(),
  explicit: fc.boolean(),
});
const bytes = fc.oneof(
  fc.integer({ min: 0, max: 2 * LIGHT_BYTES }),
  fc.integer({ min: 0, max: 3 * TURN_BYTES }),
);
const op = fc.oneof(
  fc.record({ kind: fc.constant('push' as const), i: fc.nat(11), bytes }),
  fc.record({ kind: fc.constant('serve' as const), sent: fc.integer({ min: 0, max: 4 * LIGHT_BYTES }) }),
  fc.record({ kind: fc.constant('remove' as const), i: fc.nat(11) }),
  fc.record({ kind: fc.constant('reprioritise' as const), i: fc.nat(11), p: priority }),
);

test.prop([fc.array(op, { maxLength: 300 })])('serves as the model does', (ops) => {
  const streams = Array.from({ length: 12 }, (_, i) => stream(2 * i + 1));
  const scheduler = new Scheduler<S>();
  const model = new Model();
  for (const o of ops) {
    if (o.kind === 'push') {
      const s = streams[o.i]!;
      if (!s.queued) s.pendingBytes = o.bytes;
      scheduler.push(s);
      model.push(s);
    } else if (o.kind === 'serve') {
      // What the connection does: take the next stream, send up to `sent` bytes, give it back if
      // it has some left.
      const s = scheduler.shift();
      expect(s?.id).toBe(model.shift()?.id);
      if (s !== undefined) {
        const sent = Math.min(o.sent, s.pendingBytes);
        s.pendingBytes -= sent;
        if (s.pendingBytes > 0) {
          scheduler.served(s, sent);
          model.served(s, sent);
        }
      }
    } else if (o.kind === 'remove') {
      scheduler.remove(streams[o.i]!);
      model.remove(streams[o.i]!);
    } else {
      // A priority change as the connection makes it: out of the queue, new priority, back in.
      const s = streams[o.i]!;
      const was = s.queued;
      scheduler.remove(s);
      model.remove(s);
      s.priority = o.p;
      if (was) {
        scheduler.push(s);
        model.push(s);
      }
    }
    expect(scheduler.size).toBe(model.size());
  }
  const rest: number[] = [];
  for (let s = scheduler.shift(); s !== undefined; s = scheduler.shift()) rest.push(s.id);
  const expected: number[] = [];
  for (let s = model.shift(); s !== undefined; s = model.shift()) expected.push(s.id);
  expect(rest).toEqual(expected);
});

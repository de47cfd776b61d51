/**
 * The send scheduler against a model: any sequence of pushes, shifts, removals and priority changes
 * serves streams in the order RFC 9218 §10 (as the scheduler documents it) gives — lowest urgency
 * first, explicit non-incremental streams one at a time by id, the others round-robin.
 */
import { fc, test } from '@fast-check/vitest';
import { expect } from 'vitest';
import type { Priority } from '../src/priority.js';
import { type Schedulable, Scheduler } from '../src/scheduler.js';

interface S extends Schedulable {
  priority: Priority;
}

const stream = (id: number): S => ({
  id,
  priority: { urgency: 3, incremental: false, explicit: false },
  queued: false,
  schedPrev: undefined,
  schedNext: undefined,
});

/** The model: per urgency a sorted list (sequential) and a FIFO (round-robin), as plain arrays. */
class Model {
  seq: S[][] = Array.from({ length: 8 }, () => []);
  rr: S[][] = Array.from({ length: 8 }, () => []);
  #lane(s: S) {
    return s.priority.explicit && !s.priority.incremental
      ? this.seq[s.priority.urgency]!
      : this.rr[s.priority.urgency]!;
  }
  has(s: S) {
    return this.#lane(s).includes(s);
  }
  push(s: S) {
    if (this.has(s)) return;
    const lane = this.#lane(s);
    lane.push(s);
    if (lane === this.seq[s.priority.urgency]) lane.sort((a, b) => a.id - b.id);
  }
  remove(s: S) {
    const lane = this.#lane(s);
    const i = lane.indexOf(s);
    if (i >= 0) lane.splice(i, 1);
  }
  shift(): S | undefined {
    for (let u = 0; u < 8; u++) {
      const s = this.seq[u]!.shift() ?? this.rr[u]!.shift();
      if (s !== undefined) return s;
    }
    return undefined;
  }
}

const priority = fc.record({
  urgency: fc.integer({ min: 0, max: 7 }),
  incremental: fc.boolean(),
  explicit: fc.boolean(),
});
const op = fc.oneof(
  fc.record({ kind: fc.constant('push' as const), i: fc.nat(11) }),
  fc.record({ kind: fc.constant('shift' as const) }),
  fc.record({ kind: fc.constant('remove' as const), i: fc.nat(11) }),
  fc.record({ kind: fc.constant('reprioritise' as const), i: fc.nat(11), p: priority }),
);

test.prop([fc.array(op, { maxLength: 200 })])('serves as the model does', (ops) => {
  const streams = Array.from({ length: 12 }, (_, i) => stream(2 * i + 1));
  const scheduler = new Scheduler<S>();
  const model = new Model();
  for (const o of ops) {
    if (o.kind === 'push') {
      scheduler.push(streams[o.i]!);
      model.push(streams[o.i]!);
    } else if (o.kind === 'shift') {
      expect(scheduler.shift()?.id).toBe(model.shift()?.id);
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
    expect(scheduler.size).toBe([...model.seq, ...model.rr].reduce((n, l) => n + l.length, 0));
  }
  const rest: number[] = [];
  for (let s = scheduler.shift(); s !== undefined; s = scheduler.shift()) rest.push(s.id);
  const expected: number[] = [];
  for (let s = model.shift(); s !== undefined; s = model.shift()) expected.push(s.id);
  expect(rest).toEqual(expected);
});

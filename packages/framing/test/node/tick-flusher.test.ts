/** The shared tick batching: one flush per tick, one early write past the policy's count. */
import { expect, it } from 'vitest';
import { TickFlusher } from '../../src/node/tick-flusher.js';

const tick = () => new Promise<void>((r) => process.nextTick(r));

it('flushes once at the end of a tick in which anything was queued, and not otherwise', async () => {
  let flushes = 0;
  const f = new TickFlusher(() => flushes++);
  for (let i = 0; i < 10; i++) f.queued();
  expect(f.scheduled).toBe(true);
  expect(flushes).toBe(0);
  await tick();
  expect(flushes).toBe(1);
  expect(f.scheduled).toBe(false);
  await tick();
  expect(flushes).toBe(1);
  f.queued();
  await tick();
  expect(flushes).toBe(2);
});

it('writes early once a tick, `after()` operations past its first, counting anew each tick', async () => {
  const log: string[] = [];
  let after = 3;
  const f = new TickFlusher(() => log.push('flush'), { after: () => after, write: () => log.push('early') });
  for (let i = 0; i < 8; i++) f.queued();
  await tick();
  expect(log).toEqual(['early', 'flush']); // after operations 2-4; the rest waits for the end of the tick
  log.length = 0;
  for (let i = 0; i < 3; i++) f.queued();
  await tick();
  expect(log).toEqual(['flush']); // a new tick counts from its first operation again
  log.length = 0;
  for (let i = 0; i < 4; i++) f.queued();
  await tick();
  expect(log).toEqual(['early', 'flush']);
  log.length = 0;
  after = 100;
  for (let i = 0; i < 8; i++) f.queued();
  await tick();
  expect(log).toEqual(['flush']);
});

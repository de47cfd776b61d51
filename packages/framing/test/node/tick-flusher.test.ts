/** The shared tick batching: one flush per tick, early writes past the policy's count. */
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

it('writes early every `after()` operations past the first of a tick, counting anew each tick', async () => {
  const log: string[] = [];
  let after = 3;
  const f = new TickFlusher(() => log.push('flush'), { after: () => after, write: () => log.push('early') });
  for (let i = 0; i < 8; i++) f.queued();
  await tick();
  expect(log).toEqual(['early', 'early', 'flush']); // operations 2-4 and 5-7 after the first
  log.length = 0;
  after = 100;
  for (let i = 0; i < 8; i++) f.queued();
  await tick();
  expect(log).toEqual(['flush']);
});

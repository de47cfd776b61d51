import { describe, expect, it } from 'vitest';
import { BDP_SAMPLE_INTERVAL_MS, BdpEstimator } from '../src/bdp.js';

const MAX = 16 << 20;

/** One sample of `bytes` on an estimator: its PING goes out at `at` ms and comes back. */
function sample(e: BdpEstimator, bytes: number, window: number, at: number): number {
  const ping = e.onData(bytes, at);
  if (ping === undefined) throw new Error('no sample started');
  expect(e.owns(ping)).toBe(true);
  return e.onAck(window, MAX);
}

describe('BdpEstimator', () => {
  it('doubles the window when a round trip carried half of it or more, and only then', () => {
    // Credit goes back a quarter window at a time, so a window-limited peer shows between half and
    // all of the window per round trip: half counts.
    expect(sample(new BdpEstimator(), 32_768, 65_535, 0)).toBe(131_070);
    expect(sample(new BdpEstimator(), 65_535, 65_535, 0)).toBe(131_070);
    // A sample above the window (the peer had more credit in flight) sets the pace: twice the sample.
    expect(sample(new BdpEstimator(), 100_000, 65_535, 0)).toBe(200_000);
    expect(sample(new BdpEstimator(), 32_767, 65_535, 0)).toBe(65_535);
  });

  it('discards the sample taken before the peer saw a new window, then samples again at once', () => {
    const e = new BdpEstimator();
    expect(sample(e, 65_535, 65_535, 0)).toBe(131_070);
    // Stale: taken under the old window whatever it shows.
    expect(sample(e, 131_070, 131_070, 1)).toBe(131_070);
    expect(sample(e, 131_070, 131_070, 2)).toBe(262_140);
  });

  it('once a sample does not grow the window, waits BDP_SAMPLE_INTERVAL_MS before the next', () => {
    const e = new BdpEstimator();
    expect(sample(e, 1000, 65_535, 0)).toBe(65_535);
    expect(e.onData(65_535, BDP_SAMPLE_INTERVAL_MS - 1)).toBeUndefined();
    expect(sample(e, 65_535, 65_535, BDP_SAMPLE_INTERVAL_MS)).toBe(131_070);
  });

  it('a receive window running low ends the wait: the next DATA starts a sample', () => {
    const e = new BdpEstimator();
    expect(sample(e, 1000, 65_535, 0)).toBe(65_535);
    expect(e.onData(1000, 10)).toBeUndefined();
    e.wake();
    expect(sample(e, 65_535, 65_535, 20)).toBe(131_070);
  });

  it('never grows past the maximum, and a held estimator waits like a settled one', () => {
    expect(sample(new BdpEstimator(), MAX, MAX, 0)).toBe(MAX);
    expect(sample(new BdpEstimator(), MAX, MAX / 2, 0)).toBe(MAX);
    const held = new BdpEstimator();
    held.hold();
    expect(sample(held, 100, 65_535, 0)).toBe(65_535);
    expect(held.onData(100, 10)).toBeUndefined();
  });
});

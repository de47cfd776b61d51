/**
 * Deadlines past Node's 2^31 − 1 ms timer limit (~24.8 days): a Node timer that long fires after
 * 1 ms; weft's re-arm until their time, so a call with a month-long deadline does not fail at once.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseTimeout } from '../src/deadline.js';
import { createClient, createServer, defineService, type TransportKind, unary } from '../src/index.js';
import { MAX_TIMER_MS, startTimer, stopTimer } from '../src/timer.js';

/** Answers, after `sleepMs`, how far away the call's deadline is as the server sees it. */
const Deadline = defineService('weft.test.v1.Deadline', {
  left: unary<{ sleepMs: number }, { ms: number }>(),
});

describe('startTimer', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fires a delay past 2^31 ms at its time, not before', () => {
    vi.useFakeTimers();
    const fired: number[] = [];
    const start = Date.now();
    const ms = 3 * MAX_TIMER_MS + 12_345;
    startTimer(() => fired.push(Date.now() - start), ms);
    vi.advanceTimersByTime(ms - 1);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual([ms]);
  });

  it('a stopped long timer never fires, whichever step it is in', () => {
    vi.useFakeTimers();
    let fired = 0;
    const timer = startTimer(() => fired++, 2 * MAX_TIMER_MS);
    vi.advanceTimersByTime(MAX_TIMER_MS + 10);
    stopTimer(timer);
    vi.advanceTimersByTime(2 * MAX_TIMER_MS);
    expect(fired).toBe(0);
  });
});

describe.each(['mux', 'pooled', 'ws'] as TransportKind[])('a 30-day deadline over %s', (transport) => {
  it('the call succeeds and the server sees the deadline a month away', async () => {
    const server = createServer().add(Deadline, {
      left: async (req, ctx) => {
        await new Promise((r) => setTimeout(r, req.sleepMs));
        return { ms: (ctx.deadline ?? 0) - Date.now() };
      },
    });
    const { port } = await server.listen({ transport });
    const client = createClient(Deadline, { target: `static:///127.0.0.1:${port}`, transport });
    try {
      const month = 30 * 24 * 3600 * 1000;
      // Before the fix both sides' deadline timers fired after 1 ms: DEADLINE_EXCEEDED at once.
      const { ms } = await client.left({ sleepMs: 30 }, { timeoutMs: month });
      expect(ms).toBeGreaterThan(month - 60_000);
      expect(ms).toBeLessThanOrEqual(month);
    } finally {
      client.close();
      await server.close({ graceMs: 50 });
    }
  });
});

it('grpc-timeout up to its 8 digits of hours is kept, not clamped to 24.8 days', () => {
  expect(parseTimeout('720H')).toBe(720 * 3_600_000);
  expect(parseTimeout('99999999H')).toBe(99_999_999 * 3_600_000);
});

/** The connection's receive window: opening, overrun, credit returned a quarter at a time, growth. */
import { expect, it } from 'vitest';
import { ReceiveWindow } from '../src/receive-window.js';

it('opens to its target, refuses an overrun, returns credit in quarters and grows', () => {
  const w = new ReceiveWindow(1 << 20);
  expect(w.opening()).toBe((1 << 20) - 65_535);
  w.receive(300_000);
  expect(w.unread(0)).toBe(300_000);
  expect(w.consumed(200_000)).toBe(0); // below a quarter of the target
  expect(w.consumed(100_000)).toBe(300_000);
  expect(w.unread(0)).toBe(0);
  expect(w.grow(1 << 19)).toBe(0); // never shrinks
  expect(w.grow(1 << 21)).toBe(1 << 20);
  expect(w.target).toBe(1 << 21);
  expect(() => w.receive((1 << 21) + 1)).toThrow(expect.objectContaining({ h2Code: 3 }));
});

it('a target of the protocol default needs no opening update', () => {
  expect(new ReceiveWindow(65_535).opening()).toBe(0);
});

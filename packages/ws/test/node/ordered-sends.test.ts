/** Sends keep their order behind compressions, whichever way a compression ends. */
import { expect, it } from 'vitest';
import { OrderedSends } from '../../src/node/ordered-sends.js';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((a, b) => {
    resolve = a;
    reject = b;
  });
  return { promise, resolve, reject };
}

it('a plain send runs at once, but waits behind a compression in progress', async () => {
  const sends = new OrderedSends();
  const log: string[] = [];
  sends.run(() => log.push('a'));
  const z = deferred<string>();
  sends.compressed(
    100,
    () => z.promise,
    (out) => log.push(out),
    () => log.push('failed'),
  );
  sends.run(() => log.push('c'));
  sends.run(() => log.push('d'));
  expect(log).toEqual(['a']);
  expect(sends.pendingBytes).toBe(100);
  z.resolve('b');
  await z.promise;
  await Promise.resolve();
  expect(log).toEqual(['a', 'b', 'c', 'd']);
  expect(sends.pendingBytes).toBe(0);
});

it('two compressions in a row keep their order; a failed one still lets the rest run', async () => {
  const sends = new OrderedSends();
  const log: string[] = [];
  const first = deferred<string>();
  const second = deferred<string>();
  sends.compressed(
    1,
    () => first.promise,
    (o) => log.push(o),
    () => log.push('first failed'),
  );
  sends.compressed(
    2,
    () => second.promise,
    (o) => log.push(o),
    () => log.push('second failed'),
  );
  sends.run(() => log.push('last'));
  second.resolve('second'); // done early, but not its turn: it has not even started
  first.reject(new Error('zlib'));
  await new Promise((r) => setTimeout(r, 0));
  expect(log).toEqual(['first failed', 'second', 'last']);
  expect(sends.pendingBytes).toBe(0);
});

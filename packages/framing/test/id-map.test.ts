import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { isFramingError } from '../src/errors.js';
import { IdMap } from '../src/id-map.js';

type Op = { kind: 'set'; id: number; value: number } | { kind: 'delete'; id: number } | { kind: 'clear' };

/** Ids from a small range, so that sets, deletes and probe-run collisions meet often. */
const id = fc.oneof(fc.integer({ min: 0, max: 300 }), fc.constantFrom(0xffff_ffff, 0x8000_0000, 0x7fff_ffff));
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('set' as const), id, value: fc.integer() }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('delete' as const), id }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'clear' as const }) },
);

function agrees(table: IdMap<number>, model: Map<number, number>): void {
  expect(table.size).toBe(model.size);
  expect(table.keys().sort((a, b) => a - b)).toEqual([...model.keys()].sort((a, b) => a - b));
  expect(table.values().sort((a, b) => a - b)).toEqual([...model.values()].sort((a, b) => a - b));
  for (const [k, v] of model) {
    expect(table.get(k)).toBe(v);
    expect(table.has(k)).toBe(true);
  }
}

describe('IdMap', () => {
  test.prop([fc.array(op, { maxLength: 2000 })])(
    'behaves as a Map under any sequence of operations',
    (ops) => {
      const table = new IdMap<number>();
      const model = new Map<number, number>();
      for (const o of ops) {
        if (o.kind === 'set') {
          table.set(o.id, o.value);
          model.set(o.id, o.value);
        } else if (o.kind === 'delete') {
          expect(table.delete(o.id)).toBe(model.delete(o.id));
          expect(table.has(o.id)).toBe(false);
          expect(table.get(o.id)).toBeUndefined();
        } else {
          table.clear();
          model.clear();
        }
      }
      agrees(table, model);
    },
  );

  test.prop([fc.uniqueArray(fc.integer({ min: 0, max: 63 }), { minLength: 1, maxLength: 4 }), fc.nat()])(
    'finds every entry after each delete in the smallest table, where probe runs wrap around',
    (ids, seed) => {
      const table = new IdMap<number>();
      for (const i of ids) table.set(i, i);
      const order = [...ids].sort((a, b) => ((a * 31 + seed) % 97) - ((b * 31 + seed) % 97));
      const left = new Set(ids);
      for (const i of order) {
        expect(table.delete(i)).toBe(true);
        left.delete(i);
        for (const j of left) expect(table.get(j)).toBe(j);
      }
    },
  );

  it('keeps every entry through growth, churn and shrinking', () => {
    const table = new IdMap<string>();
    const model = new Map<number, string>();
    // Stream-like churn: odd ids rising, about 100 open at a time, then a burst to 10,000 and back.
    for (let n = 1; n < 40_000; n += 2) {
      table.set(n, `s${n}`);
      model.set(n, `s${n}`);
      const old = n - (n > 20_000 && n < 40_000 ? 200 : 20_000);
      if (old > 0) {
        table.delete(old);
        model.delete(old);
      }
    }
    expect(table.size).toBe(model.size);
    for (const [k, v] of model) expect(table.get(k)).toBe(v);
    for (const k of [...model.keys()]) table.delete(k);
    expect(table.size).toBe(0);
    expect(table.values()).toEqual([]);
  });

  it('returns snapshots: entries can be removed while the snapshot is walked', () => {
    const table = new IdMap<number>();
    for (let i = 0; i < 50; i++) table.set(i * 7, i);
    const seen: number[] = [];
    for (const v of table.values()) {
      seen.push(v);
      table.delete(v * 7);
    }
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(table.size).toBe(0);
  });

  it('rejects ids that are not 32-bit unsigned integers, and never finds them', () => {
    const table = new IdMap<number>();
    for (const bad of [-1, 1.5, 2 ** 32, Number.NaN, Number.POSITIVE_INFINITY]) {
      let error: unknown;
      try {
        table.set(bad, 1);
      } catch (err) {
        error = err;
      }
      expect(isFramingError(error) && error.code).toBe('FRAMING_ERR_INVALID_ID');
      expect(table.get(bad)).toBeUndefined();
      expect(table.has(bad)).toBe(false);
      expect(table.delete(bad)).toBe(false);
    }
    expect(table.size).toBe(0);
  });
});

import { configDefaults, defineConfig } from 'vitest/config';

/** Tests against real peers: other HTTP/2, gRPC and WebSocket stacks, browsers, etcd, DNS. */
const INTEROP = [
  'packages/*/test/**/interop*.test.ts',
  'packages/ws/test/node/{autobahn,autobahn-deflate,chromium}.test.ts',
  'packages/rpc/test/{etcd,dns,msgpack-python,registry,web-chromium}.test.ts',
];
/** Tests that measure memory and what stays reachable (forced GC, import cost). */
const GC = ['packages/*/test/**/retention.test.ts', 'packages/rpc/test/import-cost.test.ts'];
/** The bench's own tests: its job runs, reports and real links. */
const BENCH = ['bench/test/**/*.test.ts'];
/** The packages as published, and the examples run as a user runs them. */
const PACKAGING = ['test/**/*.test.ts', 'examples/*/test/**/*.test.ts'];

export default defineConfig({
  test: {
    // Property and fuzz tests run thousands of cases; keep the per-test budget generous but finite.
    testTimeout: 60_000,
    hookTimeout: 30_000,
    pool: 'forks',
    maxWorkers: 2,
    globalSetup: ['test/leftovers.ts'],
    // `npm run coverage`: the unit project's coverage of the packages' sources.
    coverage: {
      provider: 'v8',
      include: ['packages/*/src/**/*.ts'],
      exclude: ['packages/*/src/gen/**'],
      reporter: ['text-summary', 'html'],
    },
    // `npm run test:<name>` runs one of them; `npm test` all.
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['packages/*/test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...INTEROP, ...GC],
        },
      },
      { extends: true, test: { name: 'interop', include: INTEROP } },
      { extends: true, test: { name: 'gc', include: GC } },
      { extends: true, test: { name: 'bench', include: BENCH } },
      { extends: true, test: { name: 'packaging', include: PACKAGING } },
    ],
  },
});

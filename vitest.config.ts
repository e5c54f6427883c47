import { defineConfig } from 'vitest/config';

// DG_TEST_REPORT=<file> adds a JSON report (used by .ci/run for its totals line).
const report = process.env['DG_TEST_REPORT'];

export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'services/*/src/**/*.test.ts',
      'services/*/test/**/*.test.ts',
      'apps/*/src/**/*.test.ts',
      'apps/*/test/**/*.test.ts',
    ],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    ...(report ? { reporters: ['default', 'json'], outputFile: { json: report } } : {}),
  },
});

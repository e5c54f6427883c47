import { InvalidArgumentError } from 'commander';
import { type CliCommand, writeLine } from '../cli-context.js';
import { cliConfig, withDatabase } from '../cli-database.js';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

interface SeedOpts {
  days: number;
  perDay: number;
  environments: number;
  org?: string;
}

/**
 * `dg seed --days 90 --per-day 50000`: loads a large organization's drift history with COPY
 * and rolls it up, for benchmarks (`pnpm bench` with DG_BENCH_DATABASE_URL). PostgreSQL only.
 */
export const seedCommand: CliCommand = {
  register(program, ctx) {
    program
      .command('seed')
      .description(
        'load a large organization (drift, changes, analyses, recommendations, notifications, audit) with COPY, for benchmarks',
      )
      .option('--days <n>', 'days of history ending today', positiveInt, 90)
      .option('--per-day <n>', 'drift events per day', positiveInt, 50_000)
      .option('--environments <n>', 'environments of the organization', positiveInt, 12)
      .option('--org <slug>', 'slug of the organization to create (default volume-<time>)')
      .action(async (opts: SeedOpts) => {
        const url = cliConfig(ctx).DATABASE_URL;
        if (!url)
          throw new InvalidArgumentError(
            'dg seed needs DATABASE_URL (PostgreSQL; COPY is not available on the embedded database)',
          );
        const api = await import('@driftguard/api');
        const { apiConfigSchema } = api;
        const { createLogger, parseConfig } = await import('@driftguard/runtime/boot');
        const started = Date.now();
        const seeded = await api.seedVolume(url, {
          days: opts.days,
          perDay: opts.perDay,
          environments: opts.environments,
          ...(opts.org ? { org: opts.org } : {}),
          onProgress: (m) => writeLine(ctx.stderr, m),
        });
        const settings = parseConfig(apiConfigSchema, ctx.env);
        const log = createLogger({ level: 'warn', name: 'dg', destination: ctx.stderr });
        const now = new Date();
        const from = new Date(now.getTime() - (opts.days - 1) * 86_400_000).toISOString().slice(0, 10);
        const t0 = Date.now();
        await withDatabase(ctx, (db) =>
          api.runJob({ db, settings, log, now: () => now }, 'rollup', { rollup: { from, to: now.toISOString().slice(0, 10) } }),
        );
        writeLine(ctx.stderr, `rolled up ${opts.days} days in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        writeLine(
          ctx.stdout,
          JSON.stringify({
            ...seeded,
            environmentIds: undefined,
            environments: seeded.environmentIds.length,
            seconds: Math.round((Date.now() - started) / 1000),
          }),
        );
      });
  },
};

import { createLogger, parseConfig } from '@driftguard/runtime/boot';
import { InvalidArgumentError } from 'commander';
import { type CliCommand, writeLine } from '../cli-context.js';
import { withDatabase } from '../cli-database.js';
import { UsageError } from '../cli-errors.js';

function day(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw new InvalidArgumentError('expected a date YYYY-MM-DD');
  }
  return value;
}

interface RunOpts {
  from?: string;
  to?: string;
}

/**
 * `dg jobs list` and `dg jobs run <job> [--from D --to D]`: the api's data lifecycle jobs and the
 * recommender's expiry sweep (each unit's job writes only that unit's tables), run once.
 */
export const jobsCommand: CliCommand = {
  register(program, ctx) {
    const jobs = program
      .command('jobs')
      .description('data lifecycle jobs (rollup, partitions, retention, archive, model pruning, recommendation expiry)');
    jobs
      .command('list')
      .description('list the jobs')
      .action(async () => {
        const [{ JOB_NAMES }, { RECOMMENDER_JOB_NAMES }] = await Promise.all([
          import('@driftguard/api'),
          import('@driftguard/recommender'),
        ]);
        for (const name of [...JOB_NAMES, ...RECOMMENDER_JOB_NAMES]) writeLine(ctx.stdout, name);
      });
    jobs
      .command('run <job>')
      .description('run one job now (skipped when another run holds its lock); prints its result as JSON')
      .option('--from <date>', 'rollup: first day (UTC), default yesterday', day)
      .option('--to <date>', 'rollup: last day, included, default today', day)
      .action(async (job: string, opts: RunOpts) => {
        const [api, recommender] = await Promise.all([import('@driftguard/api'), import('@driftguard/recommender')]);
        const log = createLogger({ level: 'info', name: 'dg', destination: ctx.stderr });
        if (recommender.RECOMMENDER_JOB_NAMES.some((n) => n === job)) {
          if (opts.from || opts.to) throw new UsageError('--from and --to apply to rollup only');
          // Safe beside the recommenders' own sweeps: each recommendation is expired by one run.
          const result = await withDatabase(ctx, (db) => recommender.expireRecommendations({ db, log }));
          writeLine(ctx.stdout, JSON.stringify({ status: 'done', result }));
          return;
        }
        const name = api.JOB_NAMES.find((n) => n === job);
        if (name === undefined)
          throw new UsageError(
            `unknown job "${job}" (one of ${[...api.JOB_NAMES, ...recommender.RECOMMENDER_JOB_NAMES].join(', ')})`,
          );
        if ((opts.from || opts.to) && name !== 'rollup') throw new UsageError('--from and --to apply to rollup only');
        if (opts.from && opts.to && opts.from > opts.to) throw new UsageError('--from is after --to');
        const settings = parseConfig(api.apiConfigSchema, ctx.env);
        const outcome = await withDatabase(ctx, (db) =>
          api.runJob({ db, settings, log, now: () => new Date() }, name, {
            rollup: { ...(opts.from ? { from: opts.from } : {}), ...(opts.to ? { to: opts.to } : {}) },
          }),
        );
        writeLine(ctx.stdout, JSON.stringify(outcome));
      });
  },
};

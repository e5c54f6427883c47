import { setTimeout as sleep } from 'node:timers/promises';
import type { Database } from '@driftguard/db';
import { InvalidArgumentError } from 'commander';
import type { Kysely } from 'kysely';
import { type CliCommand, type CliContext, writeLine } from '../cli-context.js';
import { withDatabase } from '../cli-database.js';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

function atLeast(min: number) {
  return (value: string): number => {
    const n = positiveInt(value);
    if (n < min) throw new InvalidArgumentError(`expected at least ${min}`);
    return n;
  };
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `30m`, `6h`, `7d` → milliseconds (at least a second, at most 30 days). */
export function parseInterval(value: string): number {
  const m = /^(\d+)(s|m|h|d)$/.exec(value.trim());
  const ms = m ? Number(m[1]) * UNIT_MS[m[2]!]! : NaN;
  if (!Number.isFinite(ms) || ms < 1000 || ms > 30 * 86_400_000)
    throw new InvalidArgumentError('expected an interval such as 30m, 6h or 1d (1s to 30d)');
  return ms;
}

interface TrainOpts {
  seed: number;
  samples: number;
  folds: number;
  evalSamples: number;
  labels: boolean;
  schedule?: number;
}

/** `dg ml train [--seed N] [--samples N] [--folds K] [--eval-samples N] [--no-labels] [--schedule <interval>]` and `dg ml status` */
export const mlCommand: CliCommand = {
  register(program, ctx) {
    const ml = program.command('ml').description('the drift cause model');
    ml.command('train')
      .description('train a cause model on synthetic scenarios and confirmed causes, register it, print its report')
      .option('--seed <n>', 'seed of the synthetic training scenarios', positiveInt, 42)
      .option('--samples <n>', 'synthetic training scenarios (balanced over the six causes)', atLeast(60), 3000)
      .option('--folds <k>', 'cross-validation folds', atLeast(2), 5)
      .option('--eval-samples <n>', 'held-out scenarios, generated with another seed', atLeast(60), 1800)
      .option('--no-labels', 'leave out causes engineers confirmed')
      .option(
        '--schedule <interval>',
        'train now and again every interval (30m, 6h, 1d) with the causes confirmed since, until SIGTERM or SIGINT',
        parseInterval,
      )
      .action(async (opts: TrainOpts) => {
        await withDatabase(ctx, async (db) => {
          if (opts.schedule === undefined) return trainOnce(ctx, db, opts);
          await trainOnSchedule(ctx, db, opts, opts.schedule);
        });
      });
    ml.command('status')
      .description('show the active cause model and its metrics')
      .action(async () => {
        await withDatabase(ctx, (db) => printStatus(ctx, db));
      });
  },
};

async function trainOnce(ctx: CliContext, db: Kysely<Database>, opts: TrainOpts): Promise<void> {
  const m = await import('@driftguard/analysis/ml');
  const labels = opts.labels ? await m.confirmedLabels(db) : [];
  writeLine(ctx.stderr, `training on ${opts.samples} synthetic scenarios and ${labels.length} confirmed causes …`);
  const trained = await m.trainCauseModel({
    seed: opts.seed,
    samples: opts.samples,
    folds: opts.folds,
    evalSamples: opts.evalSamples,
    labels,
  });
  const reg = await m.registerCauseModel(db, trained);
  writeLine(ctx.stdout, m.formatTrainingReport(trained.report));
  writeLine(
    ctx.stdout,
    `registered ${m.CAUSE_MODEL_NAME} ${reg.version} (id ${reg.modelId}): ${reg.activated ? 'active' : 'not activated'} (${reg.reason})`,
  );
  if (reg.prunedModelIds.length) writeLine(ctx.stdout, `removed old versions: ${reg.prunedModelIds.join(', ')}`);
}

/**
 * Trains now and then every `everyMs`, each run with the causes confirmed by then, until the
 * process is told to stop (the wait is cut short; a run in progress finishes). A failed run is
 * reported and the next one still comes: a scheduler that dies on one bad night trains no more.
 */
async function trainOnSchedule(ctx: CliContext, db: Kysely<Database>, opts: TrainOpts, everyMs: number): Promise<void> {
  const stop = new AbortController();
  for (const signal of ['SIGTERM', 'SIGINT'] as const) ctx.proc.once(signal, () => stop.abort());
  for (let run = 1; !stop.signal.aborted; run++) {
    writeLine(ctx.stderr, `scheduled training run ${run} at ${new Date().toISOString()}`);
    try {
      await trainOnce(ctx, db, opts);
    } catch (err) {
      writeLine(ctx.stderr, `training run ${run} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (stop.signal.aborted) break;
    writeLine(ctx.stderr, `next training at ${new Date(Date.now() + everyMs).toISOString()}`);
    await sleep(everyMs, undefined, { signal: stop.signal }).catch(() => undefined);
  }
  writeLine(ctx.stderr, 'scheduled training stopped');
}

async function printStatus(ctx: CliContext, db: Kysely<Database>): Promise<void> {
  const m = await import('@driftguard/analysis/ml');
  const versions = await m.listModelVersions(db, m.CAUSE_MODEL_NAME);
  const active = versions.find((v) => v.is_active);
  if (!active) {
    writeLine(ctx.stdout, `no active ${m.CAUSE_MODEL_NAME} model: causes are decided by rules (train one with dg ml train)`);
  } else {
    const ev = await m.latestModelEvaluation(db, active.id);
    writeLine(
      ctx.stdout,
      `active: ${m.CAUSE_MODEL_NAME} ${active.version} (id ${active.id}), trained ${active.trained_at.toISOString()}, deployed ${active.deployed_at?.toISOString() ?? '-'}`,
    );
    if (ev) {
      writeLine(
        ctx.stdout,
        `held-out macro-F1 ${ev.f1_score_macro ?? '-'}  accuracy ${ev.accuracy ?? '-'}  precision ${ev.precision_macro ?? '-'}  recall ${ev.recall_macro ?? '-'}  training rows ${ev.training_data_size ?? '-'}  evaluated ${ev.evaluation_date}`,
      );
    }
    writeLine(ctx.stdout, `metrics: ${JSON.stringify(active.metrics)}`);
  }
  writeLine(ctx.stdout, 'versions:');
  for (const v of versions)
    writeLine(
      ctx.stdout,
      `  ${v.version}\t${v.is_active ? 'active' : '      '}\t${v.trained_at.toISOString()}\t${JSON.stringify(v.metrics)}`,
    );
}

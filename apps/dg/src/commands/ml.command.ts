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

interface TrainOpts {
  seed: number;
  samples: number;
  folds: number;
  evalSamples: number;
  labels: boolean;
}

/** `dg ml train [--seed N] [--samples N] [--folds K] [--eval-samples N] [--no-labels]` and `dg ml status` */
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
      .action(async (opts: TrainOpts) => {
        const m = await import('@driftguard/analysis/ml');
        await withDatabase(ctx, async (db) => {
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
        });
      });
    ml.command('status')
      .description('show the active cause model and its metrics')
      .action(async () => {
        await withDatabase(ctx, (db) => printStatus(ctx, db));
      });
  },
};

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

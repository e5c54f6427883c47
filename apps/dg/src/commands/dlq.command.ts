import type { DeadLetter } from '@driftguard/bus';
import { createLogger } from '@driftguard/runtime/boot';
import { InvalidArgumentError } from 'commander';
import { type CliCommand, type CliContext, writeLine } from '../cli-context.js';
import { cliConfig, withDatabase } from '../cli-database.js';

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

/** `dg dlq list [--service S] [--limit N] [--all]` and `dg dlq replay <id>` */
export const dlqCommand: CliCommand = {
  register(program, ctx) {
    const dlq = program.command('dlq').description('dead-lettered messages');
    dlq
      .command('list')
      .description('list dead letters, newest first')
      .option('--service <service>', 'only those of one service (ingest, analysis, recommender, notifier, api)')
      .option('--limit <n>', 'at most this many', positiveInt, 50)
      .option('--all', 'include letters already replayed')
      .action(async (opts: { service?: string; limit: number; all?: boolean }) => {
        const { listDeadLetters } = await import('@driftguard/bus');
        const letters = await withDatabase(ctx, (db) =>
          listDeadLetters(db, { service: opts.service, limit: opts.limit, includeReplayed: opts.all ?? false }),
        );
        printLetters(ctx, letters);
      });
    dlq
      .command('replay')
      .description('republish a dead letter to its original subject')
      .argument('<id>', 'dead letter id (from dg dlq list)', positiveInt)
      .action(async (id: number) => {
        const cfg = cliConfig(ctx);
        const { connectBus, replayDeadLetter } = await import('@driftguard/bus');
        const log = createLogger({ level: 'warn', name: 'dg', destination: ctx.stderr });
        const bus = await connectBus({
          url: cfg.NATS_URL,
          name: `dg-cli:${cfg.DG_INSTANCE_ID}`,
          config: { subjectRoot: cfg.DG_SUBJECT_ROOT, streamPrefix: cfg.DG_STREAM_PREFIX },
          log,
        });
        try {
          const result = await withDatabase(ctx, (db) => replayDeadLetter(db, bus, id));
          writeLine(ctx.stdout, `replayed dead letter ${id} to ${result.deadLetter.subject} (stream seq ${result.streamSeq})`);
        } finally {
          await bus.close();
        }
      });
  },
};

function printLetters(ctx: CliContext, letters: DeadLetter[]): void {
  if (letters.length === 0) {
    writeLine(ctx.stderr, 'no dead letters');
    return;
  }
  writeLine(ctx.stdout, ['id', 'created', 'service', 'consumer', 'subject', 'code', 'deliveries', 'replays', 'error'].join('\t'));
  for (const l of letters) {
    const error = l.error.replace(/\s+/g, ' ').slice(0, 200);
    writeLine(
      ctx.stdout,
      [
        l.id,
        l.createdAt.toISOString(),
        l.service,
        l.consumer,
        l.subject,
        l.errorCode,
        l.deliveryCount,
        l.replayCount,
        error,
      ].join('\t'),
    );
  }
}

import { readFile } from 'node:fs/promises';
import { ScanFormat } from '@driftguard/contracts';
import { Option } from 'commander';
import { z } from 'zod';
import { type CliCommand, type CliContext, writeLine } from '../cli-context.js';
import { UsageError } from '../cli-errors.js';
import { PushError, submitScan, uploadDeclared, waitForScan, type PushTarget, type ScanStatus } from '../push/push-client.js';
import { parseTarget } from './target.js';

/** Formats of declared state; without --format the ingest service tells them apart. */
const DECLARED_FORMATS: readonly string[] = ['tfstate', 'terraform-show-json', 'kubernetes', 'cloudformation'];

interface PushOptions {
  env?: string;
  format?: string;
  full?: boolean;
  scanner?: string;
  wait?: boolean;
  timeout: string;
  declared?: boolean;
  repo?: string;
}

const PushEnv = z.object({
  DG_URL: z.url({ error: 'DG_URL must be the ingest service URL, e.g. http://127.0.0.1:8081' }).default('http://127.0.0.1:8081'),
  DG_TOKEN: z.string({ error: 'DG_TOKEN must hold a scanner token (dg token create <org>/<env> --role scanner)' }).min(1),
});

/**
 * `dg push --env <org>/<env> --format <format> [--full] [--wait] FILE|-` sends a scanner's output to
 * the ingest service (DG_URL, DG_TOKEN), for CI pipelines and cron. Prints the scan id; with
 * --wait, the outcome. `--declared --repo <id>` uploads declared state instead. Exit 1 when the
 * scan is refused or ends rejected or failed.
 */
export const pushCommand: CliCommand = {
  register(program, ctx) {
    program
      .command('push')
      .description('submit a scan (or, with --declared, declared state) to the ingest service')
      .argument('<file>', 'the scanner output, or - for standard input (JSON, YAML or gzip)')
      .option('--env <org/env>', 'environment the scan is of (must match the token)')
      .addOption(
        new Option(
          '--format <format>',
          `input format: ${ScanFormat.options.join(', ')}; with --declared: ${DECLARED_FORMATS.join(', ')}`,
        ),
      )
      .option('--full', 'a full scan: open drifts it no longer shows are resolved')
      .option('--scanner <name>', 'name of the scanner, kept with the scan')
      .option('--wait', 'wait for the scan to be processed and print its outcome')
      .option('--timeout <seconds>', 'how long --wait waits', '600')
      .option('--declared', 'upload declared state (tfstate, state JSON, manifests, template) to a repository')
      .option('--repo <id>', 'repository id for --declared (dg repo add prints it)')
      .action(async (file: string, opts: PushOptions) => {
        const parsed = PushEnv.safeParse({ DG_URL: ctx.env['DG_URL'] || undefined, DG_TOKEN: ctx.env['DG_TOKEN'] || undefined });
        if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => i.message).join('; '));
        const target: PushTarget = { url: parsed.data.DG_URL, token: parsed.data.DG_TOKEN };
        const body = await readInput(file);
        if (opts.declared) return pushDeclared(ctx, target, body, opts);
        const format = ScanFormat.safeParse(opts.format);
        if (!format.success)
          throw new UsageError(
            `--format is required, one of ${ScanFormat.options.join(', ')}${opts.format ? ` (got "${opts.format}")` : ''}`,
          );
        if (opts.env) parseTarget(opts.env, true);
        const { scanId } = await submitScan(target, body, {
          format: format.data,
          full: opts.full ?? false,
          ...(opts.env ? { env: opts.env } : {}),
          ...(opts.scanner ? { scanner: opts.scanner } : {}),
        });
        writeLine(ctx.stdout, scanId);
        if (!opts.wait) return;
        const timeout = Number(opts.timeout);
        if (!Number.isFinite(timeout) || timeout <= 0)
          throw new UsageError(`--timeout must be a number of seconds, got "${opts.timeout}"`);
        const outcome = await waitForScan(target, scanId, timeout * 1000);
        report(ctx, outcome);
        if (outcome.status !== 'completed')
          throw new PushError(`scan ${scanId} ${outcome.status}: ${outcome.error?.message ?? 'see dg push --wait output'}`);
      });
  },
};

async function pushDeclared(ctx: CliContext, target: PushTarget, body: Buffer, opts: PushOptions): Promise<void> {
  const repo = Number(opts.repo);
  if (!opts.repo || !Number.isInteger(repo) || repo <= 0)
    throw new UsageError('--declared needs --repo <id> (the id dg repo add printed)');
  if (opts.format && !DECLARED_FORMATS.includes(opts.format))
    throw new UsageError(`--declared --format must be one of ${DECLARED_FORMATS.join(', ')}`);
  const result = await uploadDeclared(target, repo, body, opts.format);
  writeLine(ctx.stdout, JSON.stringify(result));
}

function report(ctx: CliContext, s: ScanStatus): void {
  const c = s.counts;
  writeLine(
    ctx.stderr,
    `scan ${s.id} ${s.status}: ${c.resourcesSeen} resources seen, ${c.driftsOpened} drifts opened, ${c.driftsUpdated} updated, ${c.driftsResolved} resolved`,
  );
  for (const r of s.rejected ?? []) writeLine(ctx.stderr, `  rejected ${r.path}: ${r.reason}`);
  if (s.error) writeLine(ctx.stderr, `  ${s.error.path ? `at ${s.error.path}: ` : ''}${s.error.message ?? ''}`);
}

async function readInput(file: string): Promise<Buffer> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
    return Buffer.concat(chunks);
  }
  try {
    return await readFile(file);
  } catch (err) {
    throw new UsageError(
      `cannot read ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`,
    );
  }
}

import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type CliCommand, writeLine } from '../cli-context.js';
import { withDatabase } from '../cli-database.js';
import { parseJsonDocument } from '../cli-json.js';
import { UsageError } from '../cli-errors.js';
import { parseTarget } from './target.js';

interface SetOptions {
  file: string;
  by?: string;
}

interface ShowOptions {
  defaults?: boolean;
}

/** The document of `--file` as JSON: a file that is not JSON is a usage error naming where it breaks. */
async function readDocument(cwd: string, file: string): Promise<unknown> {
  let bytes: Buffer;
  try {
    bytes = await readFile(resolve(cwd, file));
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return parseJsonDocument(bytes, file);
}

/**
 * `dg policy set <org>[/<env>] --file policy.json` stores a new version of the organization's or
 * environment's recommendation policy override (its rules are tried before the defaults) and
 * prints the version; an invalid document is refused with each problem named, exit 2.
 * `dg policy show <org>[/<env>]` prints the active override as JSON (`--defaults`: the
 * product's default policy).
 */
export const policyCommand: CliCommand = {
  register(program, ctx) {
    const policy = program.command('policy').description('recommendation policy overrides of an organization or environment');
    policy
      .command('set')
      .description('store a new version of a recommendation policy override and print its version')
      .argument('<org[/env]>', 'organization, or organization and environment slugs, e.g. acme/prod')
      .requiredOption('--file <path>', 'the policy document (JSON: {"rules": [...]})')
      .option('--by <name>', 'who is setting it (kept with the version)')
      .action(async (target: string, opts: SetOptions) => {
        const { org, env } = parseTarget(target, false);
        const document = await readDocument(ctx.cwd, opts.file);
        const { setRecommendationPolicy } = await import('@driftguard/api');
        const stored = await withDatabase(ctx, (db) =>
          setRecommendationPolicy(db, {
            orgSlug: org,
            ...(env ? { envSlug: env } : {}),
            document,
            ...(opts.by ? { createdBy: opts.by } : {}),
          }),
        );
        writeLine(ctx.stdout, String(stored.version));
        writeLine(
          ctx.stderr,
          `recommendation policy v${stored.version} of ${target} is active (${stored.document.rules.length} rules, tried before the defaults)`,
        );
      });
    policy
      .command('show')
      .description('print the active recommendation policy override as JSON')
      .argument('[org[/env]]', 'organization, or organization and environment slugs')
      .option('--defaults', "print the product's default policy instead")
      .action(async (target: string | undefined, opts: ShowOptions) => {
        if (opts.defaults) {
          const { DEFAULT_POLICY } = await import('@driftguard/recommender');
          writeLine(ctx.stdout, JSON.stringify({ source: 'default', version: 0, document: DEFAULT_POLICY }, null, 2));
          return;
        }
        if (!target) throw new UsageError('expected <org> or <org>/<env> (or --defaults)');
        const { org, env } = parseTarget(target, false);
        const { showRecommendationPolicy } = await import('@driftguard/api');
        const active = await withDatabase(ctx, (db) =>
          showRecommendationPolicy(db, { orgSlug: org, ...(env ? { envSlug: env } : {}) }),
        );
        if (!active) {
          writeLine(ctx.stderr, `${target} has no override: the default policy applies (dg policy show --defaults)`);
          return;
        }
        writeLine(
          ctx.stdout,
          JSON.stringify(
            {
              source: active.envSlug ? 'environment' : 'organization',
              version: active.version,
              createdAt: active.createdAt.toISOString(),
              createdBy: active.createdBy,
              document: active.document,
            },
            null,
            2,
          ),
        );
      });
  },
};

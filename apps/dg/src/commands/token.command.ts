import { Role } from '@driftguard/contracts';
import { InvalidArgumentError, Option } from 'commander';
import { type CliCommand, writeLine } from '../cli-context.js';
import { withDatabase } from '../cli-database.js';
import { parseTarget } from './target.js';

/** Token lifetime unless `--expires` says otherwise (the api's default, repeated for `--help`). */
const DEFAULT_TOKEN_LIFETIME = '90d';

function expiry(value: string): string {
  if (value === 'never' || /^\d{1,5}[mhdw]$/.test(value)) return value;
  throw new InvalidArgumentError('expected a duration like 90d, 12h, 30m or 2w, or "never"');
}

/**
 * `dg token create <org>[/<env>] --role R [--expires 90d] [--name N]`. The token is the only
 * thing written to stdout (so `TOKEN=$(dg token create …)` works); notes go to stderr.
 */
export const tokenCommand: CliCommand = {
  register(program, ctx) {
    const token = program.command('token').description('API tokens');
    token
      .command('create')
      .description('create an API token and print it once')
      .argument('<org[/env]>', 'organization, or organization/environment to bind the token to one environment')
      .addOption(new Option('--role <role>', 'what the token may do').choices(Role.options).makeOptionMandatory())
      .addOption(
        new Option('--expires <duration>', 'lifetime: 90d, 12h, 30m, 2w or never')
          .default(DEFAULT_TOKEN_LIFETIME)
          .argParser(expiry),
      )
      .option('--name <name>', 'label shown in listings (default: <role>-<prefix>)')
      .action(async (target: string, opts: { role: Role; expires: string; name?: string }) => {
        const { org, env } = parseTarget(target, false);
        const { createApiToken } = await import('@driftguard/api');
        const created = await withDatabase(ctx, (db) =>
          createApiToken(db, { orgSlug: org, envSlug: env, role: opts.role, expiresIn: opts.expires, name: opts.name }),
        );
        writeLine(ctx.stdout, created.token);
        const scope = env ? `${org}/${env}` : `${org} (all environments)`;
        const until = created.expiresAt ? `expires ${created.expiresAt.toISOString()}` : 'never expires';
        writeLine(
          ctx.stderr,
          `created ${created.role} token "${created.name}" for ${scope}; ${until}. It is shown only this once.`,
        );
      });
  },
};

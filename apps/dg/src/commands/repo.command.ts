import { IacTool } from '@driftguard/contracts';
import { baseConfigSchema, parseConfig } from '@driftguard/runtime/boot';
import { Option } from 'commander';
import { z } from 'zod';
import { type CliCommand, writeLine } from '../cli-context.js';
import { withDatabase } from '../cli-database.js';
import { UsageError } from '../cli-errors.js';
import { parseTarget } from './target.js';

/** The shared variables, and DG_REPO_ALLOW_LOCAL as the ingest reads it. */
const repoConfigSchema = baseConfigSchema.extend({
  DG_REPO_ALLOW_LOCAL: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
});

interface RepoAddOptions {
  tool: IacTool;
  url?: string;
  branch?: string;
  name?: string;
  credentialsEnv?: string;
}

/**
 * `dg repo add <org>/<env> --tool terraform|cloudformation|kubernetes [--url U] [--branch B]
 * [--name N] [--credentials-env VAR]`. Credentials are read from the environment variable named
 * by `--credentials-env`, never from the command line (which `ps` shows to every user), and
 * stored encrypted under DG_MASTER_KEY. Prints the repository id on stdout.
 */
export const repoCommand: CliCommand = {
  register(program, ctx) {
    const repo = program.command('repo').description('IaC repositories whose declared state DriftGuard compares with the cloud');
    repo
      .command('add')
      .description('register an IaC repository of an environment and print its id')
      .argument('<org/env>', 'organization and environment slugs, e.g. acme/prod')
      .addOption(new Option('--tool <tool>', 'what the repository declares with').choices(IacTool.options).makeOptionMandatory())
      .option('--url <url>', 'git URL to sync manifests, templates or .tf files from (https://…, ssh://…, git@host:path)')
      .option('--branch <branch>', 'branch to sync (default: main)')
      .option('--name <name>', 'display name (default: the last part of the URL)')
      .option('--credentials-env <VAR>', 'environment variable holding a token or JSON {"username","token"} for the URL')
      .action(async (target: string, opts: RepoAddOptions) => {
        const { org, env } = parseTarget(target, true);
        const credentials = readCredentials(ctx.env, opts.credentialsEnv);
        const cfg = parseConfig(repoConfigSchema, ctx.env);
        const masterKey = cfg.DG_MASTER_KEY;
        if (credentials !== undefined && !masterKey) {
          throw new UsageError('DG_MASTER_KEY must be set to store repository credentials (they are encrypted at rest)');
        }
        const [{ createRepository }, { parseKeyring }] = await Promise.all([import('@driftguard/api'), import('@driftguard/db')]);
        const created = await withDatabase(ctx, (db) =>
          createRepository(db, {
            orgSlug: org,
            envSlug: env,
            tool: opts.tool,
            name: opts.name,
            url: opts.url,
            branch: opts.branch,
            credentials,
            ...(credentials !== undefined && masterKey ? { keyring: parseKeyring(masterKey) } : {}),
            // The ingest that will sync it refuses the same targets; registration says so at once.
            outbound: { allow: cfg.DG_OUTBOUND_ALLOW, allowLocal: cfg.DG_REPO_ALLOW_LOCAL },
          }),
        );
        writeLine(ctx.stdout, String(created.id));
        const source = created.url ? `${created.url} (${created.branch})` : 'declared state uploads';
        const secret = created.hasCredentials ? ', credentials stored encrypted' : '';
        writeLine(ctx.stderr, `registered ${created.tool} repository "${created.name}" of ${org}/${env} from ${source}${secret}`);
      });
  },
};

function readCredentials(env: Readonly<Record<string, string | undefined>>, variable: string | undefined): string | undefined {
  if (variable === undefined) return undefined;
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(variable))
    throw new UsageError(`--credentials-env expects a variable name, got "${variable}"`);
  const value = env[variable];
  if (value === undefined || value.trim() === '')
    throw new UsageError(`environment variable ${variable} (from --credentials-env) is not set or empty`);
  return value;
}

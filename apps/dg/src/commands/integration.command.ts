import { IntegrationSource } from '@driftguard/contracts';
import { Option } from 'commander';
import { type CliCommand, writeLine } from '../cli-context.js';
import { cliConfig, withDatabase } from '../cli-database.js';
import { UsageError } from '../cli-errors.js';
import { parseTarget } from './target.js';

interface IntegrationAddOptions {
  source: IntegrationSource;
  secretEnv: string;
}

/**
 * `dg integration add <org>/<env> --source github|pagerduty|slack --secret-env VAR`: registers a
 * source that signs its deliveries (Slack: the app's signing secret, for its button presses). The secret is read from the environment variable
 * named by `--secret-env`, never from the command line (which `ps` shows to every user), and
 * stored encrypted under DG_MASTER_KEY. Prints the integration id on stdout: the source posts
 * to `/v1/context/<source>?integration=<id>`.
 */
export const integrationCommand: CliCommand = {
  register(program, ctx) {
    const integration = program
      .command('integration')
      .description('context sources that sign their deliveries instead of sending a token');
    integration
      .command('add')
      .description('register a signed context source of an environment and print its id')
      .argument('<org/env>', 'organization and environment slugs, e.g. acme/prod')
      .addOption(
        new Option('--source <source>', 'the source that signs its deliveries')
          .choices(IntegrationSource.options)
          .makeOptionMandatory(),
      )
      .requiredOption('--secret-env <VAR>', 'environment variable holding the shared webhook secret')
      .action(async (target: string, opts: IntegrationAddOptions) => {
        const { org, env } = parseTarget(target, true);
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(opts.secretEnv))
          throw new UsageError(`--secret-env expects a variable name, got "${opts.secretEnv}"`);
        const secret = ctx.env[opts.secretEnv];
        if (secret === undefined || secret.trim() === '')
          throw new UsageError(`environment variable ${opts.secretEnv} (from --secret-env) is not set or empty`);
        const masterKey = cliConfig(ctx).DG_MASTER_KEY;
        if (!masterKey)
          throw new UsageError('DG_MASTER_KEY must be set to store an integration secret (it is encrypted at rest)');
        const [{ createIntegration }, { parseKeyring }] = await Promise.all([
          import('@driftguard/api'),
          import('@driftguard/db'),
        ]);
        const created = await withDatabase(ctx, (db) =>
          createIntegration(db, { orgSlug: org, envSlug: env, source: opts.source, secret, keyring: parseKeyring(masterKey) }),
        );
        writeLine(ctx.stdout, created.id);
        const endpoint =
          created.source === 'slack'
            ? `/v1/interactions/slack?integration=${created.id}`
            : `/v1/context/${created.source}?integration=${created.id}`;
        writeLine(
          ctx.stderr,
          `registered ${created.source} integration of ${org}/${env}, secret stored encrypted; deliver to ${endpoint}`,
        );
      });
  },
};

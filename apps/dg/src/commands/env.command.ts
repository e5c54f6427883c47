import { CloudProvider } from '@driftguard/contracts';
import { Option } from 'commander';
import { type CliCommand, writeLine } from '../cli-context.js';
import { withDatabase } from '../cli-database.js';
import { parseTarget } from './target.js';

/** `dg env create <org>/<env> --cloud aws|gcp|azure [--region R] [--account A] [--name N]`, `dg env list <org>` */
export const envCommand: CliCommand = {
  register(program, ctx) {
    const env = program.command('env').description('environments (cloud accounts, projects, subscriptions)');
    env
      .command('create')
      .description('create an environment of an organization')
      .argument('<org/env>', 'organization and environment slugs, e.g. acme/prod')
      .addOption(new Option('--cloud <cloud>', 'cloud provider').choices(CloudProvider.options).makeOptionMandatory())
      .option('--region <region>', 'default region, e.g. eu-west-1')
      .option('--account <account>', 'AWS account id, GCP project id or Azure subscription id')
      .option('--name <name>', 'display name (default: the slug)')
      .action(async (target: string, opts: { cloud: CloudProvider; region?: string; account?: string; name?: string }) => {
        const { org, env: slug } = parseTarget(target, true);
        const { createEnvironment } = await import('@driftguard/api');
        const created = await withDatabase(ctx, (db) =>
          createEnvironment(db, {
            orgSlug: org,
            slug,
            cloud: opts.cloud,
            region: opts.region,
            account: opts.account,
            name: opts.name,
          }),
        );
        writeLine(ctx.stdout, `created environment ${created.orgSlug}/${created.slug} (id ${created.id}, ${created.cloud})`);
      });
    env
      .command('list')
      .description('list the environments of an organization')
      .argument('<org>', 'organization slug')
      .action(async (target: string) => {
        const { org } = parseTarget(target, false);
        const { listEnvironments } = await import('@driftguard/api');
        const envs = await withDatabase(ctx, (db) => listEnvironments(db, org));
        for (const e of envs) {
          const where = [e.region, e.account].filter((x) => x !== null).join(' ');
          writeLine(
            ctx.stdout,
            `${e.orgSlug}/${e.slug}\t${e.id}\t${e.cloud}${where ? `\t${where}` : ''}${e.isActive ? '' : '\tinactive'}`,
          );
        }
      });
  },
};

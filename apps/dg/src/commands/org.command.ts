import { type CliCommand, writeLine } from '../cli-context.js';
import { withDatabase } from '../cli-database.js';

/** `dg org create <slug> [--name N]` */
export const orgCommand: CliCommand = {
  register(program, ctx) {
    const org = program.command('org').description('organizations');
    org
      .command('create')
      .description('create an organization')
      .argument('<slug>', 'lowercase letters, digits and hyphens, e.g. acme')
      .option('--name <name>', 'display name (default: the slug)')
      .action(async (slug: string, opts: { name?: string }) => {
        const { createOrganization } = await import('@driftguard/api');
        const created = await withDatabase(ctx, (db) => createOrganization(db, { slug, name: opts.name }));
        writeLine(ctx.stdout, `created organization ${created.slug} (id ${created.id})`);
      });
  },
};

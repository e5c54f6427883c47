import type { MigrateDirection, MigrateResult } from '@driftguard/db';
import { Argument } from 'commander';
import { type CliCommand, type CliContext, writeLine } from '../cli-context.js';
import { cliConfig, withDatabase } from '../cli-database.js';

/** `dg migrate [up|down|status]`: the only way migrations run against a shared database. */
export const migrateCommand: CliCommand = {
  register(program, ctx) {
    program
      .command('migrate')
      .description(
        'apply pending migrations (up, default), revert the latest (down), or list them (status); DATABASE_URL, else the embedded database of dg up',
      )
      .addArgument(new Argument('[direction]', 'what to do').choices(['up', 'down', 'status']).default('up'))
      .action(async (direction: MigrateDirection) => {
        const { DATABASE_URL } = cliConfig(ctx);
        const { migrate, migratePglite } = await import('@driftguard/db');
        if (DATABASE_URL) return printResult(ctx, await migrate(DATABASE_URL, direction));
        // The embedded database (directly, or through a running `dg up`): one session, one role, no grants.
        printResult(ctx, await withDatabase(ctx, (db) => migratePglite(db, direction)));
      });
  },
};

function printResult(ctx: CliContext, result: MigrateResult): void {
  if (result.createdDatabase) writeLine(ctx.stderr, 'created the database');
  if (result.direction === 'up') {
    for (const name of result.applied) writeLine(ctx.stdout, `applied ${name}`);
    if (result.applied.length === 0) writeLine(ctx.stdout, 'already up to date');
    if (result.grantedRoles.length > 0) writeLine(ctx.stdout, `granted service roles ${result.grantedRoles.join(', ')}`);
  } else if (result.direction === 'down') {
    for (const name of result.applied) writeLine(ctx.stdout, `reverted ${name}`);
    if (result.applied.length === 0) writeLine(ctx.stdout, 'nothing to revert');
  } else {
    const width = Math.max(...result.status.map((m) => m.name.length));
    for (const m of result.status) {
      writeLine(ctx.stdout, `${m.name.padEnd(width)}  ${m.executedAt ? `applied ${m.executedAt.toISOString()}` : 'pending'}`);
    }
  }
}

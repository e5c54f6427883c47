import { InvalidArgumentError, Option } from 'commander';
import { parseConfig } from '@driftguard/runtime/boot';
import { z } from 'zod';
import { type CliCommand, writeLine } from '../cli-context.js';
import { withDatabase } from '../cli-database.js';

const USER_ROLES = ['admin', 'engineer', 'viewer'] as const;

/** The password never comes from an argument (visible in `ps` and shell history): an env variable or stdin. */
const PasswordEnv = z.object({ DG_USER_PASSWORD: z.string().min(1).optional() });

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  // The CLI's one read of standard input, asked for explicitly with --password-stdin.
  for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

function email(value: string): string {
  if (z.email().safeParse(value).success) return value;
  throw new InvalidArgumentError('expected an email address');
}

/**
 * `dg user create <email> [--admin | --role R] [--org <slug>] [--name N] [--password-stdin]`: a
 * user of an organization, typically the first administrator. The password comes from stdin
 * (`--password-stdin`) or `DG_USER_PASSWORD`; without either the user signs in with OpenID
 * Connect only.
 */
export const userCommand: CliCommand = {
  register(program, ctx) {
    const user = program.command('user').description('users of the console');
    user
      .command('create')
      .description('create a user (the first administrator: dg user create --admin <email>)')
      .argument('<email>', 'the email the user signs in with', email)
      .option('--admin', 'make the user an administrator (same as --role admin)')
      .addOption(new Option('--role <role>', 'what the user may do').choices(USER_ROLES).default('viewer'))
      .option('--org <slug>', 'organization (may be omitted when there is only one)')
      .option('--name <name>', 'display name')
      .option('--password-stdin', 'read the password from standard input (else DG_USER_PASSWORD)')
      .action(
        async (
          address: string,
          opts: { admin?: boolean; role: (typeof USER_ROLES)[number]; org?: string; name?: string; passwordStdin?: boolean },
        ) => {
          const password = opts.passwordStdin ? await readStdin() : parseConfig(PasswordEnv, ctx.env).DG_USER_PASSWORD;
          const { createUserFromShell } = await import('@driftguard/api');
          const created = await withDatabase(ctx, (db) =>
            createUserFromShell(db, {
              email: address,
              role: opts.admin ? 'admin' : opts.role,
              ...(opts.org === undefined ? {} : { orgSlug: opts.org }),
              ...(opts.name === undefined ? {} : { displayName: opts.name }),
              ...(password === undefined || password === '' ? {} : { password }),
            }),
          );
          writeLine(ctx.stdout, `created ${created.role} user ${created.email} in ${created.orgSlug} (id ${created.id})`);
          if (password === undefined || password === '') {
            writeLine(ctx.stderr, 'no password given: the user can sign in with OpenID Connect only');
          }
        },
      );
  },
};

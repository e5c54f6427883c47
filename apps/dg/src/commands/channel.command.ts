import { ChannelType } from '@driftguard/contracts';
import { Option } from 'commander';
import { type CliCommand, type CliContext, writeLine } from '../cli-context.js';
import { cliConfig, withDatabase } from '../cli-database.js';
import { parseJsonDocument } from '../cli-json.js';
import { UsageError } from '../cli-errors.js';
import { parseTarget } from './target.js';

interface ChannelAddOptions {
  type: ChannelType;
  name: string;
  configEnv: string;
  default?: boolean;
}

/** The configuration JSON from the environment variable `--config-env` names (never the command line, which `ps` shows). */
function configFromEnv(ctx: CliContext, variable: string): unknown {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(variable)) throw new UsageError(`--config-env expects a variable name, got "${variable}"`);
  const text = ctx.env[variable];
  if (text === undefined || text.trim() === '')
    throw new UsageError(`environment variable ${variable} (from --config-env) is not set or empty`);
  return parseJsonDocument(text, `environment variable ${variable}`);
}

function masterKeyOrThrow(ctx: CliContext): string {
  const masterKey = cliConfig(ctx).DG_MASTER_KEY;
  if (!masterKey) throw new UsageError('DG_MASTER_KEY must be set: channel secrets are encrypted at rest');
  return masterKey;
}

/**
 * `dg channel add <org> --type slack|pagerduty|webhook|email --name N --config-env VAR [--default]`,
 * `dg channel list <org>`, `dg channel test <org> <name>`, `dg channel remove <org> <name>`.
 * The configuration is validated by the channel type's adapter and its secret fields (webhook
 * URLs, routing keys, tokens, passwords, signing secrets) stored encrypted under DG_MASTER_KEY;
 * they are never printed back.
 */
export const channelCommand: CliCommand = {
  register(program, ctx) {
    const channel = program.command('channel').description('notification channels (Slack, PagerDuty, webhook, email)');
    channel
      .command('add')
      .description('register a notification channel of an organization')
      .argument('<org>', 'organization slug')
      .addOption(new Option('--type <type>', 'channel type').choices(ChannelType.options).makeOptionMandatory())
      .requiredOption('--name <name>', 'channel name, unique in the organization')
      .requiredOption('--config-env <VAR>', 'environment variable holding the configuration as JSON')
      .option('--default', 'receives what no routing rule routes')
      .action(async (org: string, opts: ChannelAddOptions) => {
        const { org: orgSlug } = parseTarget(org, false);
        const config = configFromEnv(ctx, opts.configEnv);
        const masterKey = masterKeyOrThrow(ctx);
        const [{ createChannel }, { parseKeyring }, { channelAdapters }] = await Promise.all([
          import('@driftguard/api'),
          import('@driftguard/db'),
          import('@driftguard/notifier'),
        ]);
        const created = await withDatabase(ctx, (db) =>
          createChannel(db, {
            orgSlug,
            name: opts.name,
            type: opts.type,
            isDefault: opts.default ?? false,
            config,
            keyring: parseKeyring(masterKey),
            validate: (type) => ({ schema: channelAdapters[type].config, secretFields: channelAdapters[type].secretFields }),
          }),
        );
        writeLine(ctx.stdout, String(created.id));
        writeLine(ctx.stderr, `registered ${created.type} channel ${created.name} of ${orgSlug}; secret fields stored encrypted`);
      });
    channel
      .command('list')
      .description('list the channels of an organization (secrets shown as "(secret)")')
      .argument('<org>', 'organization slug')
      .action(async (org: string) => {
        const { listChannels } = await import('@driftguard/api');
        const channels = await withDatabase(ctx, (db) => listChannels(db, parseTarget(org, false).org));
        writeLine(ctx.stdout, ['id', 'name', 'type', 'active', 'default', 'configuration'].join('\t'));
        for (const c of channels)
          writeLine(ctx.stdout, [c.id, c.name, c.type, c.isActive, c.isDefault, JSON.stringify(c.configuration)].join('\t'));
      });
    channel
      .command('test')
      .description('send a test message through a channel and print the provider’s answer')
      .argument('<org>', 'organization slug')
      .argument('<name>', 'channel name')
      .action(async (org: string, name: string) => {
        const cfg = cliConfig(ctx);
        const [{ listChannels }, { parseKeyring }, { sendChannelTest }] = await Promise.all([
          import('@driftguard/api'),
          import('@driftguard/db'),
          import('@driftguard/notifier'),
        ]);
        const result = await withDatabase(ctx, async (db) => {
          const found = (await listChannels(db, parseTarget(org, false).org)).find((c) => c.name === name && c.isActive);
          if (!found) throw new UsageError(`no active channel "${name}" in ${org}`);
          return sendChannelTest(db, {
            channelId: found.id,
            keyring: cfg.DG_MASTER_KEY ? parseKeyring(cfg.DG_MASTER_KEY) : undefined,
            allow: cfg.DG_OUTBOUND_ALLOW,
          });
        });
        if (result.ok) {
          writeLine(ctx.stdout, `delivered (HTTP ${result.status})`);
          return;
        }
        writeLine(ctx.stdout, `failed${result.status !== undefined ? ` (HTTP ${result.status})` : ''}: ${result.error}`);
        throw new Error(
          result.retryable ? `channel ${name}: the provider did not accept the test now` : `channel ${name}: configuration error`,
        );
      });
    channel
      .command('remove')
      .description('deactivate a channel (its history stays)')
      .argument('<org>', 'organization slug')
      .argument('<name>', 'channel name')
      .action(async (org: string, name: string) => {
        const { removeChannel } = await import('@driftguard/api');
        await withDatabase(ctx, (db) => removeChannel(db, parseTarget(org, false).org, name));
        writeLine(ctx.stderr, `channel ${name} of ${org} deactivated`);
      });
  },
};

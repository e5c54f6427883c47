import { ChannelType } from '@driftguard/contracts';
import { redactedChannelConfiguration, sealChannelConfiguration, type Database, type Keyring } from '@driftguard/db';
import { ConflictError, NotFoundError } from '@driftguard/runtime';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { parseInput } from './input.js';
import { inTransaction, writeOwnAudit, type AuditWriter } from './transaction.js';
import { organizationBySlug } from './organizations.js';
import { Slug } from './slug.js';

const CreateChannelInput = z.object({
  orgSlug: Slug,
  name: z.string().min(1).max(255),
  type: ChannelType,
  isDefault: z.boolean().default(false),
});

/**
 * The channel type's adapter: the zod schema of its configuration and which top-level keys hold
 * secrets. The composition root passes the notifier's adapters (`dg channel add`).
 */
export type ChannelConfigValidator = (type: ChannelType) => { schema: z.ZodType; secretFields: readonly string[] };

const ConfigObject = z.record(z.string(), z.unknown());

export type CreateChannelInput = z.input<typeof CreateChannelInput> & {
  config: unknown;
  validate: ChannelConfigValidator;
  keyring: Keyring;
};

export interface ChannelRef {
  id: number;
  orgSlug: string;
  name: string;
  type: ChannelType;
  isDefault: boolean;
  /** the configuration as it may be shown: secret fields named, never their values */
  configuration: Record<string, unknown>;
  isActive: boolean;
}

/**
 * Registers a notification channel of an organization with its audit row, in one transaction:
 * the configuration is validated by the channel type's adapter, its secret fields encrypted
 * with the keyring's current key (bound to the organization, channel name and field). Names
 * are unique among an organization's active channels. Neither the return value nor the audit
 * row holds a secret.
 */
export async function createChannel(
  db: Kysely<Database>,
  input: CreateChannelInput,
  audit: AuditWriter = writeOwnAudit,
): Promise<ChannelRef> {
  const { keyring, validate, config, ...fields } = input;
  const { orgSlug, name, type, isDefault } = parseInput(CreateChannelInput, fields, 'channel');
  const adapter = validate(type);
  const checked = {
    config: parseInput(
      ConfigObject,
      parseInput(adapter.schema, config, `${type} channel configuration`),
      `${type} channel configuration`,
    ),
    secretFields: adapter.secretFields,
  };
  return inTransaction(db, async (tx) => {
    const org = await organizationBySlug(tx, orgSlug);
    const taken = await tx
      .selectFrom('notification_channels')
      .select('id')
      .where('organization_id', '=', org.id)
      .where('name', '=', name)
      .where('is_active', '=', true)
      .executeTakeFirst();
    if (taken) throw new ConflictError(`channel "${name}" already exists in ${orgSlug}`);
    const configuration = sealChannelConfiguration(checked.config, checked.secretFields, keyring, {
      organizationId: org.id,
      channelName: name,
    });
    const row = await tx
      .insertInto('notification_channels')
      .values({
        organization_id: org.id,
        name,
        channel_type: type,
        configuration: JSON.stringify(configuration),
        is_default: isDefault,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const shown = redactedChannelConfiguration(configuration);
    await audit(tx, {
      organizationId: org.id,
      action: 'notification_channel.created',
      resourceType: 'notification_channel',
      resourceId: row.id,
      newValues: {
        name,
        type,
        isDefault,
        fields: Object.keys(shown),
        secretFields: [...checked.secretFields],
        keyId: keyring.currentKeyId,
      },
    });
    return { id: row.id, orgSlug, name, type, isDefault, configuration: shown, isActive: true };
  });
}

/** The channels of an organization, secrets redacted. */
export async function listChannels(db: Kysely<Database>, orgSlug: string): Promise<ChannelRef[]> {
  return db.transaction().execute(async (tx) => {
    const org = await organizationBySlug(tx, parseInput(Slug, orgSlug, 'organization'));
    const rows = await tx
      .selectFrom('notification_channels')
      .selectAll()
      .where('organization_id', '=', org.id)
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      orgSlug,
      name: r.name,
      type: ChannelType.parse(r.channel_type),
      isDefault: r.is_default,
      configuration: redactedChannelConfiguration(r.configuration),
      isActive: r.is_active !== false,
    }));
  });
}

/**
 * Deactivates a channel: it receives nothing more, its rules route nowhere, and its past
 * notifications keep their history (rows reference it, so it is not deleted).
 */
export async function removeChannel(
  db: Kysely<Database>,
  orgSlug: string,
  name: string,
  audit: AuditWriter = writeOwnAudit,
): Promise<void> {
  await inTransaction(db, async (tx) => {
    const org = await organizationBySlug(tx, parseInput(Slug, orgSlug, 'organization'));
    const row = await tx
      .updateTable('notification_channels')
      .set({ is_active: false, is_default: false })
      .where('organization_id', '=', org.id)
      .where('name', '=', name)
      .where('is_active', '=', true)
      .returning('id')
      .executeTakeFirst();
    if (!row) throw new NotFoundError(`channel "${name}" not found in ${orgSlug}`);
    await tx.updateTable('routing_rules').set({ is_active: false }).where('channel_id', '=', row.id).execute();
    await audit(tx, {
      organizationId: org.id,
      action: 'notification_channel.removed',
      resourceType: 'notification_channel',
      resourceId: row.id,
      newValues: { name, isActive: false },
    });
  });
}

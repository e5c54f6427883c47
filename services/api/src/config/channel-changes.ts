import { ChannelType, type UpdateChannelBody } from '@driftguard/contracts';
import {
  openChannelConfiguration,
  redactedChannelConfiguration,
  sealChannelConfiguration,
  type Database,
  type JsonValue,
  type Keyring,
} from '@driftguard/db';
import { ConflictError } from '@driftguard/runtime';
import type { Transaction } from 'kysely';
import { z } from 'zod';
import type { ChannelConfigValidator } from '../bootstrap/index.js';
import { parseInput } from '../bootstrap/input.js';

const ConfigObject = z.record(z.string(), z.unknown());

/** A channel as the api shows it: secret fields named, never their values. */
export interface ChannelState {
  id: number;
  name: string;
  type: ChannelType;
  isDefault: boolean;
  configuration: Record<string, unknown>;
  isActive: boolean;
}

/** What a channel change records: field names, which secrets were replaced, never a value of one. */
export function channelAuditValues(s: ChannelState, extra: { [key: string]: JsonValue } = {}): JsonValue {
  return { name: s.name, type: s.type, isDefault: s.isDefault, fields: Object.keys(s.configuration).sort(), ...extra };
}

/**
 * Changes an active channel of the organization: its name, whether it is a default, and its
 * configuration, merged over the stored one (secrets decrypted for the merge, so a change of a
 * plain field keeps the secrets) and validated whole by the channel type's adapter before it is
 * sealed again (bound to the possibly new name). Undefined when the channel is not an active one
 * of the organization.
 */
export async function updateChannel(
  tx: Transaction<Database>,
  orgId: number,
  id: number,
  body: z.infer<typeof UpdateChannelBody>,
  deps: { keyring: Keyring; validate: ChannelConfigValidator },
): Promise<{ before: ChannelState; after: ChannelState; replacedSecrets: string[] } | undefined> {
  const row = await tx
    .selectFrom('notification_channels')
    .selectAll()
    .where('organization_id', '=', orgId)
    .where('id', '=', id)
    .where('is_active', '=', true)
    .forUpdate()
    .executeTakeFirst();
  if (!row) return undefined;
  const type = ChannelType.parse(row.channel_type);
  const adapter = deps.validate(type);
  const name = body.name ?? row.name;
  const current = openChannelConfiguration(row.configuration, deps.keyring, { organizationId: orgId, channelName: row.name });
  const merged: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(body.config ?? {})) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  const config = parseInput(
    ConfigObject,
    parseInput(adapter.schema, merged, `${type} channel configuration`),
    `${type} channel configuration`,
  );
  if (name !== row.name) {
    const taken = await tx
      .selectFrom('notification_channels')
      .select('id')
      .where('organization_id', '=', orgId)
      .where('name', '=', name)
      .where('is_active', '=', true)
      .where('id', '<>', id)
      .executeTakeFirst();
    if (taken) throw new ConflictError(`channel "${name}" already exists`, 'duplicate');
  }
  const sealed = sealChannelConfiguration(config, adapter.secretFields, deps.keyring, {
    organizationId: orgId,
    channelName: name,
  });
  const updated = await tx
    .updateTable('notification_channels')
    .set({ name, is_default: body.isDefault ?? row.is_default, configuration: JSON.stringify(sealed) })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  const state = (r: typeof row): ChannelState => ({
    id: r.id,
    name: r.name,
    type,
    isDefault: r.is_default,
    configuration: redactedChannelConfiguration(r.configuration),
    isActive: r.is_active !== false,
  });
  const replacedSecrets = Object.keys(body.config ?? {}).filter((k) => adapter.secretFields.includes(k));
  return { before: state(row), after: state(updated), replacedSecrets };
}

import { IntegrationSource } from '@driftguard/contracts';
import { encryptSecret, type Database, type Keyring } from '@driftguard/db';
import type { Transaction } from 'kysely';
import { integrationSecretContext } from '../bootstrap/integrations.js';

/** An integration as the api shows and audits it: never its secret. */
export interface IntegrationState {
  id: string;
  environmentId: number;
  source: IntegrationSource;
  keyId: string;
  createdAt: string;
}

async function lockIntegration(tx: Transaction<Database>, orgId: number, id: string) {
  return tx
    .selectFrom('integrations')
    .select(['id', 'environment_id', 'source', 'key_id', 'created_at'])
    .where('organization_id', '=', orgId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

const stateOf = (r: NonNullable<Awaited<ReturnType<typeof lockIntegration>>>): IntegrationState => ({
  id: r.id,
  environmentId: r.environment_id,
  source: IntegrationSource.parse(r.source),
  keyId: r.key_id,
  createdAt: new Date(r.created_at).toISOString(),
});

/**
 * Replaces an integration's signing secret (encrypted under the keyring's current key, bound to
 * the integration): what the source signs with the old secret is refused from now on. Undefined
 * when the integration is not the organization's.
 */
export async function rotateIntegrationSecret(
  tx: Transaction<Database>,
  orgId: number,
  id: string,
  secret: string,
  keyring: Keyring,
): Promise<{ before: IntegrationState; after: IntegrationState } | undefined> {
  const row = await lockIntegration(tx, orgId, id);
  if (!row) return undefined;
  const updated = await tx
    .updateTable('integrations')
    .set({ key_id: keyring.currentKeyId, secret_encrypted: encryptSecret(secret, keyring, integrationSecretContext(id)) })
    .where('id', '=', id)
    .returning(['id', 'environment_id', 'source', 'key_id', 'created_at'])
    .executeTakeFirstOrThrow();
  return { before: stateOf(row), after: stateOf(updated) };
}

/** Removes an integration (nothing refers to one: deliveries naming it are refused from now on); undefined when not the organization's. */
export async function deleteIntegration(
  tx: Transaction<Database>,
  orgId: number,
  id: string,
): Promise<IntegrationState | undefined> {
  const row = await lockIntegration(tx, orgId, id);
  if (!row) return undefined;
  await tx.deleteFrom('integrations').where('id', '=', id).execute();
  return stateOf(row);
}

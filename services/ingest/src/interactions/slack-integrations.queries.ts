import { IntegrationSource } from '@driftguard/contracts';
import { decryptSecretBytes, type Database, type Keyring } from '@driftguard/db';
import { sql, type Kysely } from 'kysely';

/** A Slack app integration with its decrypted signing secret. */
export interface SlackIntegration {
  id: string;
  orgId: number;
  envId: number;
  signingSecret: Buffer;
}

/** Must equal api's integrationSecretContext: the ciphertext is bound to its row id. */
const secretContext = (id: string) => `integrations.secret_encrypted:${id}`;

/**
 * The `slack` integration `id`, or undefined when there is none, it is another source's, or its
 * organization is deactivated. Read through dg_integration_by_id, as context intake reads signed
 * sources: the request names its integration before its organization is known.
 */
export async function findSlackIntegration(
  db: Kysely<Database>,
  keyring: Keyring,
  id: string,
): Promise<SlackIntegration | undefined> {
  const { rows } = await sql<{
    id: string;
    organization_id: number;
    environment_id: number;
    source: string;
    secret_encrypted: Buffer;
  }>`
    SELECT id, organization_id, environment_id, source, secret_encrypted FROM dg_integration_by_id(${id}::uuid)`.execute(db);
  const row = rows[0];
  const source = IntegrationSource.safeParse(row?.source);
  if (!row || !source.success || source.data !== 'slack') return undefined;
  return {
    id: row.id,
    orgId: Number(row.organization_id),
    envId: Number(row.environment_id),
    signingSecret: decryptSecretBytes(row.secret_encrypted, keyring, secretContext(row.id)),
  };
}

import { IntegrationSource } from '@driftguard/contracts';
import { decryptSecretBytes, type Database, type Keyring } from '@driftguard/db';
import { sql, type Kysely } from 'kysely';

/** A signing integration as ingest needs it to check a delivery (a signed context source, or Slack's button presses). */
export interface IntegrationSigner {
  id: string;
  orgId: number;
  envId: number;
  /** each route accepts only its own source's integrations */
  source: IntegrationSource;
  secret: Buffer;
}

/** Must equal api's integrationSecretContext: the ciphertext is bound to its row id. */
const secretContext = (id: string) => `integrations.secret_encrypted:${id}`;

/**
 * The integration `id` with its decrypted secret, or undefined when there is none (or its
 * organization is deactivated). Read through dg_integration_by_id: the delivery names its
 * integration before its organization is known, and tenant row-level security would hide it.
 */
export async function findIntegrationSigner(
  db: Kysely<Database>,
  keyring: Keyring,
  id: string,
): Promise<IntegrationSigner | undefined> {
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
  if (!row || !source.success) return undefined;
  return {
    id: row.id,
    orgId: Number(row.organization_id),
    envId: Number(row.environment_id),
    source: source.data,
    secret: decryptSecretBytes(row.secret_encrypted, keyring, secretContext(row.id)),
  };
}

import { randomUUID } from 'node:crypto';
import { IntegrationSource } from '@driftguard/contracts';
import { encryptSecret, type Database, type Keyring } from '@driftguard/db';
import { NotFoundError } from '@driftguard/runtime';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { parseInput } from './input.js';
import { inTransaction, writeOwnAudit, type AuditWriter } from './transaction.js';
import { organizationBySlug } from './organizations.js';
import { Slug } from './slug.js';

const CreateIntegrationInput = z.object({
  orgSlug: Slug,
  envSlug: Slug,
  source: z.enum(IntegrationSource.options, { error: `must be one of ${IntegrationSource.options.join(', ')}` }),
  /** The shared secret the source signs with; long enough that guessing it is hopeless. */
  secret: z.string().min(16, { error: 'must be at least 16 characters' }).max(1024),
});
export type CreateIntegrationInput = z.input<typeof CreateIntegrationInput> & { keyring: Keyring };

export interface IntegrationRef {
  id: string;
  orgSlug: string;
  envSlug: string;
  envId: number;
  source: IntegrationSource;
  keyId: string;
}

/**
 * The additional authenticated data binding a secret to its integration (ingest decrypts with
 * the same string): a ciphertext copied onto another row does not decrypt.
 */
export function integrationSecretContext(integrationId: string): string {
  return `integrations.secret_encrypted:${integrationId}`;
}

/**
 * Registers a source that signs what it sends (GitHub and PagerDuty context, Slack button presses) of an environment with its audit row,
 * in one transaction. The secret is encrypted with the keyring's current key and never reaches
 * the audit row. Throws InvalidInputError or NotFoundError (unknown organization or environment).
 */
export async function createIntegration(
  db: Kysely<Database>,
  input: CreateIntegrationInput,
  audit: AuditWriter = writeOwnAudit,
): Promise<IntegrationRef> {
  const { keyring, ...fields } = input;
  const { orgSlug, envSlug, source, secret } = parseInput(CreateIntegrationInput, fields, 'integration');
  return inTransaction(db, async (tx) => {
    const org = await organizationBySlug(tx, orgSlug);
    const env = await tx
      .selectFrom('environments')
      .select('id')
      .where('organization_id', '=', org.id)
      .where('slug', '=', envSlug)
      .executeTakeFirst();
    if (!env) throw new NotFoundError(`environment "${orgSlug}/${envSlug}" not found`);
    const id = randomUUID();
    // The id is chosen first so the ciphertext can be bound to it before the row exists.
    await tx
      .insertInto('integrations')
      .values({
        id,
        organization_id: org.id,
        environment_id: env.id,
        source,
        key_id: keyring.currentKeyId,
        secret_encrypted: encryptSecret(secret, keyring, integrationSecretContext(id)),
      })
      .execute();
    await audit(tx, {
      organizationId: org.id,
      action: 'integration.created',
      // audit_log ids are integers; the integration's uuid rides in the values of its environment's row.
      resourceType: 'environment',
      resourceId: env.id,
      newValues: { integrationId: id, source, keyId: keyring.currentKeyId },
    });
    return { id, orgSlug, envSlug, envId: env.id, source, keyId: keyring.currentKeyId };
  });
}

import { CloudProvider } from '@driftguard/contracts';
import { type Database } from '@driftguard/db';
import { ConflictError, NotFoundError } from '@driftguard/runtime';
import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import { parseInput } from './input.js';
import { inTransaction, writeOwnAudit, type AuditWriter } from './transaction.js';
import { organizationBySlug } from './organizations.js';
import { Slug } from './slug.js';
import { uniqueViolation } from './unique-violation.js';

const CreateEnvironmentInput = z.object({
  orgSlug: Slug,
  slug: Slug,
  cloud: z.enum(CloudProvider.options, { error: `must be one of ${CloudProvider.options.join(', ')}` }),
  region: z.string().trim().min(1).max(50).optional(),
  /** AWS account id, GCP project id or Azure subscription id. */
  account: z.string().trim().min(1).max(50).optional(),
  /** Display name; defaults to the slug. */
  name: z.string().trim().min(1).max(255).optional(),
});
export type CreateEnvironmentInput = z.input<typeof CreateEnvironmentInput>;

export interface EnvironmentRef {
  id: number;
  orgId: number;
  orgSlug: string;
  slug: string;
  cloud: CloudProvider;
}

/**
 * Creates an environment of an existing organization, with its audit row, in one transaction.
 * Throws InvalidInputError (bad cloud or slug), NotFoundError (unknown organization) or
 * ConflictError (slug taken in the organization).
 */
export async function createEnvironment(
  db: Kysely<Database>,
  input: CreateEnvironmentInput,
  audit: AuditWriter = writeOwnAudit,
): Promise<EnvironmentRef> {
  const { orgSlug, slug, cloud, region, account, name = slug } = parseInput(CreateEnvironmentInput, input, 'environment');
  try {
    return await inTransaction(db, async (tx) => {
      const org = await organizationBySlug(tx, orgSlug);
      const env = await tx
        .insertInto('environments')
        .values({
          organization_id: org.id,
          slug,
          name,
          cloud_provider: cloud,
          region: region ?? null,
          account_id: account ?? null,
        })
        .returning(['id'])
        .executeTakeFirstOrThrow();
      await audit(tx, {
        organizationId: org.id,
        action: 'environment.created',
        resourceType: 'environment',
        resourceId: env.id,
        newValues: { slug, name, cloud, region: region ?? null, account: account ?? null },
      });
      return { id: env.id, orgId: org.id, orgSlug, slug, cloud };
    });
  } catch (error) {
    if (!uniqueViolation(error)) throw error;
    throw new ConflictError(`organization "${orgSlug}" already has an environment "${slug}"`, 'duplicate', { cause: error });
  }
}

/** The environment `envSlug` of organization `orgId`. */
export async function environmentBySlug(
  tx: Transaction<Database>,
  orgId: number,
  orgSlug: string,
  envSlug: string,
): Promise<{ id: number }> {
  const env = await tx
    .selectFrom('environments')
    .select('id')
    .where('organization_id', '=', orgId)
    .where('slug', '=', envSlug)
    .executeTakeFirst();
  if (!env) throw new NotFoundError(`environment "${orgSlug}/${envSlug}" not found`);
  return env;
}

/** The environments of an organization, by slug (`dg env list`). Throws NotFoundError for an unknown organization. */
export async function listEnvironments(
  db: Kysely<Database>,
  orgSlug: string,
): Promise<(EnvironmentRef & { region: string | null; account: string | null; isActive: boolean })[]> {
  const slug = parseInput(Slug, orgSlug, 'organization');
  return db.transaction().execute(async (tx) => {
    const org = await organizationBySlug(tx, slug);
    const rows = await tx
      .selectFrom('environments')
      .select(['id', 'slug', 'cloud_provider', 'region', 'account_id', 'is_active'])
      .where('organization_id', '=', org.id)
      .orderBy('slug')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      orgId: org.id,
      orgSlug: slug,
      slug: r.slug,
      cloud: CloudProvider.parse(r.cloud_provider),
      region: r.region,
      account: r.account_id,
      isActive: r.is_active !== false,
    }));
  });
}

import { writeAudit, type Database } from '@driftguard/db';
import { ConflictError, NotFoundError } from '@driftguard/runtime';
import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import { parseInput } from './input.js';
import { Slug } from './slug.js';
import { uniqueViolation } from './unique-violation.js';

const CreateOrganizationInput = z.object({
  slug: Slug,
  /** Display name; unique like the slug. Defaults to the slug. */
  name: z.string().trim().min(1).max(255).optional(),
});
export type CreateOrganizationInput = z.input<typeof CreateOrganizationInput>;

export interface OrganizationRef {
  id: number;
  slug: string;
  name: string;
}

/** Creates an organization and its audit row in one transaction. Throws ConflictError on a taken slug or name. */
export async function createOrganization(db: Kysely<Database>, input: CreateOrganizationInput): Promise<OrganizationRef> {
  const { slug, name = slug } = parseInput(CreateOrganizationInput, input, 'organization');
  try {
    return await db.transaction().execute(async (tx) => {
      const org = await tx
        .insertInto('organizations')
        .values({ slug, name })
        .returning(['id', 'slug', 'name'])
        .executeTakeFirstOrThrow();
      await writeAudit(tx, {
        organizationId: org.id,
        action: 'organization.created',
        resourceType: 'organization',
        resourceId: org.id,
        newValues: { slug, name },
      });
      return org;
    });
  } catch (error) {
    const duplicate = uniqueViolation(error);
    if (!duplicate) throw error;
    const what = duplicate.constraint?.includes('name') ? `name "${name}"` : `slug "${slug}"`;
    throw new ConflictError(`an organization with ${what} already exists`, 'duplicate', { cause: error });
  }
}

/** The organization with `slug`, locked against concurrent deletion for the transaction. */
export async function organizationBySlug(tx: Transaction<Database>, slug: string): Promise<OrganizationRef> {
  const org = await tx
    .selectFrom('organizations')
    .select(['id', 'slug', 'name'])
    .where('slug', '=', slug)
    .forShare()
    .executeTakeFirst();
  if (!org) throw new NotFoundError(`organization "${slug}" not found`);
  return org;
}

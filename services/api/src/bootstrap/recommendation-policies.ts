import { checkPolicyDocument, type RecommendationPolicyDocument } from '@driftguard/contracts';
import { type Database } from '@driftguard/db';
import { InvalidInputError, NotFoundError } from '@driftguard/runtime';
import { sql, type Kysely, type Transaction } from 'kysely';
import { z } from 'zod';
import { parseInput } from './input.js';
import { inTransaction, writeOwnAudit, type AuditWriter } from './transaction.js';
import { organizationBySlug } from './organizations.js';
import { Slug } from './slug.js';

const PolicyScope = z.object({ orgSlug: Slug, envSlug: Slug.optional() });

const SetPolicyInput = PolicyScope.extend({
  document: z.unknown(),
  createdBy: z.string().min(1).max(255).optional(),
});
export type SetRecommendationPolicyInput = z.input<typeof SetPolicyInput>;
export type RecommendationPolicyScope = z.input<typeof PolicyScope>;

export interface RecommendationPolicyRef {
  orgSlug: string;
  envSlug: string | null;
  version: number;
  document: RecommendationPolicyDocument;
  createdAt: Date;
  createdBy: string | null;
}

/** Arbitrary first key of the advisory lock numbering one scope's versions. */
const POLICY_LOCK_CLASS = 0x44475050;

async function scopeIds(tx: Transaction<Database>, orgSlug: string, envSlug: string | undefined) {
  const org = await organizationBySlug(tx, orgSlug);
  if (envSlug === undefined) return { orgId: org.id, envId: null };
  const env = await tx
    .selectFrom('environments')
    .select('id')
    .where('organization_id', '=', org.id)
    .where('slug', '=', envSlug)
    .executeTakeFirst();
  if (!env) throw new NotFoundError(`environment "${orgSlug}/${envSlug}" not found`);
  return { orgId: org.id, envId: env.id };
}

/**
 * Stores a new version of an organization's (no `envSlug`) or environment's recommendation
 * policy override, with its audit row, in one transaction; the new version is the active one.
 * The document must be a valid RecommendationPolicyDocument: an invalid one is refused with an
 * InvalidInputError naming each problem (`rules.0.then.unattended: only an auto_revert may run
 * unattended…`) and nothing is stored.
 */
export async function setRecommendationPolicy(
  db: Kysely<Database>,
  input: SetRecommendationPolicyInput,
  audit: AuditWriter = writeOwnAudit,
): Promise<RecommendationPolicyRef> {
  const { orgSlug, envSlug, document, createdBy } = parseInput(SetPolicyInput, input, 'recommendation policy');
  const checked = checkPolicyDocument(document);
  if (!checked.ok) {
    throw new InvalidInputError(
      `invalid recommendation policy: ${checked.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
      checked.problems,
    );
  }
  return inTransaction(db, async (tx) => {
    const { orgId, envId } = await scopeIds(tx, orgSlug, envSlug);
    // Two writers of one scope take numbers in turn.
    await sql`SELECT pg_advisory_xact_lock(${POLICY_LOCK_CLASS}, ${envId ?? -orgId})`.execute(tx);
    const latest = await tx
      .selectFrom('recommendation_policies')
      .select((eb) => eb.fn.max('version').as('version'))
      .where('organization_id', '=', orgId)
      .where((eb) => (envId === null ? eb('environment_id', 'is', null) : eb('environment_id', '=', envId)))
      .executeTakeFirst();
    const version = (latest?.version ?? 0) + 1;
    const row = await tx
      .insertInto('recommendation_policies')
      .values({
        organization_id: orgId,
        environment_id: envId,
        version,
        document: JSON.stringify(checked.document),
        created_by: createdBy ?? null,
      })
      .returning(['created_at'])
      .executeTakeFirstOrThrow();
    await audit(tx, {
      organizationId: orgId,
      action: 'recommendation_policy.set',
      resourceType: envId === null ? 'organization' : 'environment',
      resourceId: envId ?? orgId,
      newValues: { version, rules: checked.document.rules.map((r) => r.id), ...(createdBy ? { createdBy } : {}) },
    });
    return {
      orgSlug,
      envSlug: envSlug ?? null,
      version,
      document: checked.document,
      createdAt: row.created_at,
      createdBy: createdBy ?? null,
    };
  });
}

/** The active (latest) override of an organization or environment, or null when it has none: the defaults apply. */
export async function showRecommendationPolicy(
  db: Kysely<Database>,
  scope: RecommendationPolicyScope,
): Promise<RecommendationPolicyRef | null> {
  const { orgSlug, envSlug } = parseInput(PolicyScope, scope, 'recommendation policy scope');
  return db.transaction().execute(async (tx) => {
    const { orgId, envId } = await scopeIds(tx, orgSlug, envSlug);
    const row = await tx
      .selectFrom('recommendation_policies')
      .select(['version', 'document', 'created_at', 'created_by'])
      .where('organization_id', '=', orgId)
      .where((eb) => (envId === null ? eb('environment_id', 'is', null) : eb('environment_id', '=', envId)))
      .where('retired_at', 'is', null)
      .orderBy('version', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!row) return null;
    const checked = checkPolicyDocument(row.document);
    if (!checked.ok) throw new InvalidInputError(`stored recommendation policy v${row.version} is invalid`, checked.problems);
    return {
      orgSlug,
      envSlug: envSlug ?? null,
      version: row.version,
      document: checked.document,
      createdAt: row.created_at,
      createdBy: row.created_by,
    };
  });
}

/**
 * Removes the override of an organization (no `envSlug`) or environment, with its audit row:
 * every version of the scope is retired (kept as history, never active again), so the next layer,
 * or the defaults, apply. Returns how many versions it retired (0: there was none active).
 */
export async function retireRecommendationPolicy(
  db: Kysely<Database>,
  scope: RecommendationPolicyScope,
  audit: AuditWriter = writeOwnAudit,
): Promise<{ retiredVersions: number }> {
  const { orgSlug, envSlug } = parseInput(PolicyScope, scope, 'recommendation policy scope');
  return inTransaction(db, async (tx) => {
    const { orgId, envId } = await scopeIds(tx, orgSlug, envSlug);
    await sql`SELECT pg_advisory_xact_lock(${POLICY_LOCK_CLASS}, ${envId ?? -orgId})`.execute(tx);
    const retired = await tx
      .updateTable('recommendation_policies')
      .set({ retired_at: new Date() })
      .where('organization_id', '=', orgId)
      .where((eb) => (envId === null ? eb('environment_id', 'is', null) : eb('environment_id', '=', envId)))
      .where('retired_at', 'is', null)
      .returning('version')
      .execute();
    const versions = retired.map((r) => r.version).sort((a, b) => a - b);
    // Nothing to remove changes nothing and is not recorded as a change.
    if (versions.length === 0) {
      throw new NotFoundError(
        `no recommendation policy override in ${envSlug ? `environment "${orgSlug}/${envSlug}"` : `organization "${orgSlug}"`} to remove`,
      );
    }
    await audit(tx, {
      organizationId: orgId,
      action: 'recommendation_policy.removed',
      resourceType: envId === null ? 'organization' : 'environment',
      resourceId: envId ?? orgId,
      oldValues: { activeVersion: versions.at(-1) ?? null },
      newValues: { activeVersion: null, retiredVersions: versions },
    });
    return { retiredVersions: versions.length };
  });
}

import { runAsOrg, writeAudit, type Database } from '@driftguard/db';
import type { Logger } from '@driftguard/runtime';
import type { Kysely } from 'kysely';
import { expireDue, organizationsWithExpiring } from '../recommendations.queries.js';

export interface ExpiryContext {
  db: Kysely<Database>;
  log: Logger;
  /** recommendations expired per transaction (default 500) */
  batchSize?: number;
}

export interface ExpiryResult {
  /** organizations that had open recommendations past their expiry */
  organizations: number;
  /** recommendations this run expired */
  expired: number;
}

/**
 * Expires every open recommendation whose `expires_at` has passed: the policy gave it that long to
 * be acted on. Organization by organization, in its row-level-security scope, in batches, each
 * with one audit row per recommendation. Idempotent and safe to run twice at once: a
 * recommendation is expired by exactly one run (see expireDue), and a run finding nothing due
 * changes nothing.
 */
export async function expireRecommendations(ctx: ExpiryContext): Promise<ExpiryResult> {
  const batchSize = ctx.batchSize ?? 500;
  const organizations = await organizationsWithExpiring(ctx.db);
  let expired = 0;
  for (const orgId of organizations) {
    await runAsOrg(orgId, async () => {
      for (;;) {
        const rows = await ctx.db.transaction().execute(async (tx) => {
          const done = await expireDue(tx, batchSize);
          for (const r of done) {
            await writeAudit(tx, {
              organizationId: orgId,
              action: 'recommendation.expired',
              resourceType: 'recommendation',
              resourceId: r.id,
              newValues: {
                driftEventId: r.drift_event_id,
                reason: 'expires_at passed',
                expiresAt: r.expires_at?.toISOString() ?? null,
              },
            });
          }
          return done;
        });
        expired += rows.length;
        if (rows.length < batchSize) break;
      }
    });
  }
  if (expired > 0) ctx.log.info({ expired, organizations: organizations.length }, 'recommendations past their expiry expired');
  return { organizations: organizations.length, expired };
}

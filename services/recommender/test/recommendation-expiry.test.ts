import { createDb, SERVICE_ROLES, type Database } from '@driftguard/db';
import { createLogger } from '@driftguard/runtime';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expireRecommendations } from '../src/expiry/recommendation-expiry.js';
import { startRecommender, waitUntil, type RecommenderHarness } from './recommender.harness.js';

const silent = createLogger({ level: 'silent', name: 'expiry-test' });
const HOUR = 3_600_000;

let h: RecommenderHarness;
/** Connected as the recommender's role, as the service's sweep is. */
let asRecommender: Kysely<Database>;

beforeAll(async () => {
  // The service's own sweep is off here: the tests run sweeps themselves.
  h = await startRecommender('rec_expiry', { expiryIntervalMs: 0 });
  asRecommender = createDb(h.url, { role: SERVICE_ROLES.recommender, max: 4 });
});
afterAll(async () => {
  await asRecommender?.destroy();
  await h?.stop();
});

type Status = 'open' | 'accepted' | 'expired' | 'superseded';

/** A drift of `envId` with one recommendation, written as ingest and the recommender would. */
async function recommendation(envId: number, status: Status, expiresAt: Date | null): Promise<number> {
  const drift = await h.db
    .insertInto('drift_events')
    .values({ environment_id: envId, drift_type: 'modified' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const row = await h.db
    .insertInto('recommendations')
    .values({
      drift_event_id: drift.id,
      recommendation_type: 'codify_iac',
      priority: 'high',
      confidence_score: '0.90',
      rationale: 'the fix is probably right; the code is behind',
      recommended_by: 'policy_engine',
      expires_at: expiresAt,
      status,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function otherEnvironment(): Promise<number> {
  const slug = `other-${h.orgSlug}`;
  const org = await h.db.insertInto('organizations').values({ name: slug, slug }).returning('id').executeTakeFirstOrThrow();
  const env = await h.db
    .insertInto('environments')
    .values({ organization_id: org.id, name: 'prod', slug: 'prod', cloud_provider: 'aws' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return env.id;
}

async function statuses(ids: number[]): Promise<Map<number, { status: string; changed: Date | null }>> {
  const rows = await h.db
    .selectFrom('recommendations')
    .select(['id', 'status', 'status_changed_at'])
    .where('id', 'in', ids)
    .execute();
  return new Map(rows.map((r) => [r.id, { status: r.status, changed: r.status_changed_at }]));
}

describe('recommendation expiry', () => {
  it('expires every open recommendation past expires_at exactly once when two sweeps run at once, in every organization', async () => {
    const past = new Date(Date.now() - HOUR);
    const future = new Date(Date.now() + HOUR);
    const other = await otherEnvironment();
    const due: number[] = [];
    for (let i = 0; i < 30; i++) due.push(await recommendation(h.envId, 'open', past));
    for (let i = 0; i < 5; i++) due.push(await recommendation(other, 'open', past));
    const kept = [
      await recommendation(h.envId, 'open', future),
      await recommendation(h.envId, 'open', null),
      await recommendation(h.envId, 'accepted', past),
      await recommendation(other, 'superseded', past),
    ];

    // Small batches, two at once: both runs walk the same rows.
    const [a, b] = await Promise.all([
      expireRecommendations({ db: asRecommender, log: silent, batchSize: 4 }),
      expireRecommendations({ db: asRecommender, log: silent, batchSize: 4 }),
    ]);
    expect(a.expired + b.expired).toBe(due.length);

    const after = await statuses([...due, ...kept]);
    for (const id of due) {
      expect(after.get(id)?.status).toBe('expired');
      expect(after.get(id)?.changed).toBeInstanceOf(Date);
    }
    expect(kept.map((id) => after.get(id)?.status)).toEqual(['open', 'open', 'accepted', 'superseded']);

    // One audit row per expired recommendation, in its own organization.
    const audit = await h.db
      .selectFrom('audit_log')
      .select(['resource_id', 'organization_id', sql<string>`new_values->>'reason'`.as('reason')])
      .where('action', '=', 'recommendation.expired')
      .where('resource_id', 'in', due)
      .execute();
    expect(audit.map((r) => r.resource_id).sort((x, y) => x - y)).toEqual([...due].sort((x, y) => x - y));
    expect(new Set(audit.map((r) => r.organization_id)).size).toBe(2);
    expect(new Set(audit.map((r) => r.reason))).toEqual(new Set(['expires_at passed']));

    // Run again: nothing is due, nothing changes.
    expect(await expireRecommendations({ db: asRecommender, log: silent })).toEqual({ organizations: 0, expired: 0 });
  });

  it("runs on the recommender service's own timer", async () => {
    const timed = await startRecommender('rec_expiry_timer', { expiryIntervalMs: 100 });
    try {
      const drift = await timed.openDrift();
      const rec = await timed.db
        .insertInto('recommendations')
        .values({
          drift_event_id: drift,
          recommendation_type: 'manual_review',
          priority: 'medium',
          confidence_score: '0.70',
          rationale: 'review it',
          recommended_by: 'policy_engine',
          expires_at: new Date(Date.now() + 300),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const status = await waitUntil(async () => {
        const row = await timed.db
          .selectFrom('recommendations')
          .select('status')
          .where('id', '=', rec.id)
          .executeTakeFirstOrThrow();
        return row.status === 'expired' ? row.status : undefined;
      });
      expect(status).toBe('expired');
    } finally {
      await timed.stop();
    }
  });
});

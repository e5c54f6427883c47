import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant, fixture, startIngest, waitUntil, type IngestHarness, type Tenant } from './harness.js';
import { cfnDrifts } from './builders.js';

/** A drift records when the scanner observed it (observed_at), apart from when ingest processed it. */
let h: IngestHarness;
beforeAll(async () => {
  h = await startIngest('observed-at');
});
afterAll(async () => {
  await h?.stop();
});

async function ingest(format: string, body: string) {
  const t = await createTenant(h.db);
  const id = await h.submit(format, body, { token: t.token });
  const scan = await waitUntil(async () => {
    const r = await h.get(`/v1/scans/${id}`, t.token);
    return ['completed', 'rejected', 'failed'].includes(r.body.status) && r.body;
  });
  expect(scan.status).toBe('completed');
  return { t, scanId: id };
}

async function driftsOf(t: Tenant) {
  return h.db
    .selectFrom('drift_events')
    .select(['id', 'observed_at', 'detected_at'])
    .where('environment_id', '=', t.envId)
    .orderBy('id')
    .execute();
}

async function detectedOf(t: Tenant) {
  const rows = await h.db.selectFrom('outbox').select(['payload']).where('event_type', '=', 'drift.detected.v1').execute();
  return rows
    .map((r) => r.payload as { envId: number; data: { driftEventId: number; observedAt?: string; detectedAt: string } })
    .filter((p) => p.envId === t.envId)
    .map((p) => p.data);
}

async function submittedAt(scanId: string): Promise<Date> {
  const row = await h.db.selectFrom('scans').select('submitted_at').where('id', '=', scanId).executeTakeFirstOrThrow();
  return row.submitted_at;
}

const planWith = (timestamp?: string) => {
  const plan = JSON.parse(fixture('terraform/plan-resource-drift.json').toString()) as Record<string, unknown>;
  if (timestamp) plan.timestamp = timestamp;
  return JSON.stringify(plan);
};

describe('observation time of a drift', () => {
  it('records a Terraform plan’s timestamp on the row and in drift.detected, apart from detected_at', async () => {
    const { t } = await ingest('terraform-plan', planWith('2026-11-29T22:15:03Z'));
    const [row] = await driftsOf(t);
    expect((row!.observed_at as Date).toISOString()).toBe('2026-11-29T22:15:03.000Z');
    expect((row!.detected_at as Date).getTime()).not.toBe((row!.observed_at as Date).getTime());
    const [event] = await detectedOf(t);
    expect(event).toMatchObject({
      driftEventId: row!.id,
      observedAt: '2026-11-29T22:15:03.000Z',
      detectedAt: (row!.detected_at as Date).toISOString(),
    });
  });

  it('uses the submission time for a scan that does not say when it observed', async () => {
    const { t, scanId } = await ingest('terraform-plan', planWith());
    const [row] = await driftsOf(t);
    const submitted = await submittedAt(scanId);
    expect((row!.observed_at as Date).getTime()).toBe(submitted.getTime());
    expect((await detectedOf(t))[0]!.observedAt).toBe(submitted.toISOString());
  });

  it('records a CloudFormation resource drift’s Timestamp', async () => {
    const { t } = await ingest('cloudformation', cfnDrifts([{ id: 'Queue', diffs: [['/DelaySeconds', 20, 120]] }]));
    const [row] = await driftsOf(t);
    expect((row!.observed_at as Date).toISOString()).toBe('2026-11-30T08:00:00.000Z');
    expect((await detectedOf(t))[0]!.observedAt).toBe('2026-11-30T08:00:00.000Z');
  });
});

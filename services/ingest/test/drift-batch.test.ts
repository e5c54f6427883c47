import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@driftguard/db/testing';
import { applyDriftBatch } from '../src/lifecycle/drift-lifecycle.js';
import type { DriftItem } from '../src/lifecycle/drift-items.js';
import type { ScanRef } from '../src/lifecycle/scan-context.js';
import { createTenant, type Tenant } from './harness.js';

let tdb: TestDatabase;
let tenant: Tenant;
beforeAll(async () => {
  tdb = await createTestDatabase('drift_batch');
  tenant = await createTenant(tdb.db);
});
afterAll(async () => {
  await tdb?.destroy();
});

async function scanRef(): Promise<ScanRef> {
  const id = randomUUID();
  await tdb.db
    .insertInto('scans')
    .values({
      id,
      organization_id: tenant.orgId,
      environment_id: tenant.envId,
      format: 'native',
      source: 'http',
      payload: Buffer.from('{}'),
      payload_sha256: Buffer.alloc(32),
    })
    .execute();
  return { scanId: id, orgId: tenant.orgId, envId: tenant.envId, format: 'native', subjectRoot: 'dg' };
}

const item = (address: string, fingerprint: string): DriftItem => ({
  driftType: 'added',
  resource: { address, type: 'aws_s3_bucket', physicalId: `bucket-${fingerprint}` },
  resourceKey: `aws_s3_bucket/${fingerprint}`,
  scope: 'native',
  fingerprint,
  declared: null,
  actual: { bucket: 'b' },
  changes: [],
  securityRuleIds: [],
});

describe('opening drifts', () => {
  it('stores no declared resource for an empty address, even when one is declared under ""', async () => {
    const scan = await scanRef();
    // A declared-resource map can hold any key a scanner sent; an empty address must never match.
    const iacIds = new Map([['', 42]]);
    await tdb.db.transaction().execute((tx) => applyDriftBatch(tx, scan, [item('', 'a'.repeat(64))], iacIds));
    const row = await tdb.db
      .selectFrom('drift_events')
      .select(['id', 'iac_resource_id'])
      .where('fingerprint', '=', 'a'.repeat(64))
      .executeTakeFirstOrThrow();
    expect(row.iac_resource_id).toBeNull();
    const event = await tdb.db
      .selectFrom('outbox')
      .select('payload')
      .where('event_type', '=', 'drift.detected.v1')
      .executeTakeFirstOrThrow();
    expect(event.payload).toMatchObject({ data: { driftEventId: row.id, iacResourceId: null } });
  });
});

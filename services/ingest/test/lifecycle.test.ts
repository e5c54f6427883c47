import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subjectFor } from '@driftguard/contracts';
import { driftRows, envelope, startIngest, waitUntil, type IngestHarness } from './harness.js';
import { cfnDrifts } from './builders.js';
import { sensitiveValueHash } from '../src/diff/sensitive.mask.js';

let h: IngestHarness;
beforeAll(async () => {
  h = await startIngest('lifecycle');
});
afterAll(async () => {
  await h?.stop();
});

async function scanAndWait(body: string, full = false) {
  const scan = await h.waitForScan(await h.submit('cloudformation', body, { full }));
  expect(scan.status).toBe('completed');
  return scan;
}

async function outboxOf(type: string) {
  return h.db.selectFrom('outbox').select(['payload']).where('event_type', '=', type).execute();
}

describe('drift lifecycle', () => {
  it('updates a drift seen again instead of opening a duplicate, then resolves it on a full scan without it', async () => {
    const drifted = cfnDrifts([
      { id: 'Queue', diffs: [['/DelaySeconds', 20, 120]] },
      { id: 'Other', status: 'IN_SYNC' },
    ]);
    const first = await scanAndWait(drifted);
    expect(first.counts).toMatchObject({ driftsOpened: 1, driftsUpdated: 0, driftsResolved: 0 });
    const second = await scanAndWait(drifted);
    expect(second.counts).toMatchObject({ driftsOpened: 0, driftsUpdated: 1, driftsResolved: 0 });

    let rows = await driftRows(h.db, h.tenant.envId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ resolved: false, seenCount: 2 });
    expect((await outboxOf('drift.detected.v1')).length).toBe(1);

    // a partial scan that does not mention Queue resolves nothing
    await scanAndWait(cfnDrifts([{ id: 'Other', status: 'IN_SYNC' }]));
    expect((await driftRows(h.db, h.tenant.envId, { open: true })).length).toBe(1);

    const full = await scanAndWait(cfnDrifts([{ id: 'Other', status: 'IN_SYNC' }]), true);
    expect(full.counts).toMatchObject({ driftsOpened: 0, driftsResolved: 1 });
    rows = await driftRows(h.db, h.tenant.envId);
    expect(rows[0]).toMatchObject({ resolved: true, resolutionType: null });
    expect(rows[0]!.metadata.resolution).toMatchObject({ by: 'scan', reason: 'not_in_full_scan' });
    const resolved = await outboxOf('drift.resolved.v1');
    expect(resolved.map((r) => (r.payload as any).data.driftEventId)).toEqual([rows[0]!.id]);
  });

  it('resolves a drift when the resource is reported in sync, and supersedes one whose values changed', async () => {
    const a = await scanAndWait(
      cfnDrifts([
        {
          id: 'Bucket',
          type: 'AWS::S3::Bucket',
          diffs: [['/VersioningConfiguration', { Status: 'Enabled' }, { Status: 'Suspended' }]],
        },
      ]),
    );
    expect(a.counts.driftsOpened).toBe(1);
    const b = await scanAndWait(
      cfnDrifts([
        {
          id: 'Bucket',
          type: 'AWS::S3::Bucket',
          diffs: [['/VersioningConfiguration', { Status: 'Enabled' }, { Status: 'Disabled' }]],
        },
      ]),
    );
    expect(b.counts).toMatchObject({ driftsOpened: 1, driftsResolved: 1 });
    let open = (await driftRows(h.db, h.tenant.envId, { open: true })).filter((r) => r.address === 'Bucket');
    expect(open).toHaveLength(1);
    expect(open[0]!.changes[0]!.actual).toEqual({ Status: 'Disabled' });

    const c = await scanAndWait(cfnDrifts([{ id: 'Bucket', type: 'AWS::S3::Bucket', status: 'IN_SYNC' }]));
    expect(c.counts.driftsResolved).toBe(1);
    open = (await driftRows(h.db, h.tenant.envId, { open: true })).filter((r) => r.address === 'Bucket');
    expect(open).toEqual([]);
    const all = (await driftRows(h.db, h.tenant.envId)).filter((r) => r.address === 'Bucket');
    expect(all.map((r) => r.metadata.resolution.reason)).toEqual(['superseded', 'in_sync']);
  });

  it('records audit rows in the same transactions as the drift rows', async () => {
    const rows = await driftRows(h.db, h.tenant.envId);
    const audit = await h.db
      .selectFrom('audit_log')
      .select(['action', 'resource_id'])
      .where('organization_id', '=', h.tenant.orgId)
      .where('resource_type', '=', 'drift_event')
      .execute();
    for (const r of rows) {
      expect(audit.filter((a) => a.resource_id === r.id && a.action === 'drift.opened')).toHaveLength(1);
      if (r.resolved) expect(audit.filter((a) => a.resource_id === r.id && a.action === 'drift.resolved')).toHaveLength(1);
    }
  });

  it('takes scans and resolve commands from NATS, and publishes drift events to JetStream', async () => {
    const bus = await h.bus();
    const scanEvent = envelope('scan.submitted', h.tenant.orgId, h.tenant.envId, {
      format: 'cloudformation',
      full: false,
      scanner: 'nats-test',
      body: JSON.parse(cfnDrifts([{ id: 'Topic', type: 'AWS::SNS::Topic', diffs: [['/DisplayName', 'a', 'b']] }])),
    });
    const subject = subjectFor('scan.submitted.v1', h.tenant.orgId, h.tenant.envId, h.subjectRoot);
    await bus.js.publish(subject, JSON.stringify(scanEvent), { msgID: scanEvent.id });
    await bus.js.publish(subject, JSON.stringify(scanEvent), { msgID: `${scanEvent.id}:again` });
    const scan = await waitUntil(async () => {
      const r = await h.get(`/v1/scans/${scanEvent.id}`);
      return r.status === 200 && r.body.status === 'completed' ? r.body : undefined;
    });
    expect(scan).toMatchObject({ source: 'nats', scanner: 'nats-test', counts: { driftsOpened: 1 } });
    expect(await h.db.selectFrom('scans').select('id').where('id', '=', scanEvent.id).execute()).toHaveLength(1);

    const drift = (await driftRows(h.db, h.tenant.envId, { open: true })).find((r) => r.address === 'Topic')!;
    const cmd = envelope('cmd.drift.resolve', h.tenant.orgId, h.tenant.envId, {
      driftEventId: drift.id,
      resolutionType: 'codify_iac',
      confirmedCause: 'emergency_fix',
      actor: 'alice@example.com',
      note: 'hotfix kept',
    });
    await bus.js.publish(subjectFor('cmd.drift.resolve.v1', h.tenant.orgId, h.tenant.envId, h.subjectRoot), JSON.stringify(cmd), {
      msgID: cmd.id,
    });
    const resolved = await waitUntil(async () =>
      (await driftRows(h.db, h.tenant.envId)).find((r) => r.id === drift.id && r.resolved),
    );
    expect(resolved).toMatchObject({ resolutionType: 'codify_iac' });
    expect(resolved.metadata.resolution).toMatchObject({
      by: 'command',
      confirmedCause: 'emergency_fix',
      actor: 'alice@example.com',
    });

    // the relay publishes both events to the stream, where analysis and the notifier read them
    // earlier tests resolved other drifts on the same subject, and the relay publishes after commit: wait for this one's
    type Resolved = { data: { driftEventId: number; confirmedCause: string; resolvedBy: string } };
    const event = await waitUntil(async () => {
      const msg = await bus.jsm.streams
        .getMessage(`${h.streamPrefix}DRIFT`, {
          last_by_subj: subjectFor('drift.resolved.v1', h.tenant.orgId, h.tenant.envId, h.subjectRoot),
        })
        .catch(() => undefined);
      const parsed = msg?.json<Resolved>();
      return parsed?.data.driftEventId === drift.id ? parsed : undefined;
    });
    expect(event.data).toMatchObject({ driftEventId: drift.id, confirmedCause: 'emergency_fix', resolvedBy: 'command' });
  });

  it('dead-letters a resolve command for a drift of another organization, changing nothing', async () => {
    const bus = await h.bus();
    const other = await h.db
      .insertInto('organizations')
      .values({ name: 'intruder', slug: 'intruder' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const env = await h.db
      .insertInto('environments')
      .values({ organization_id: other.id, name: 'p', slug: 'p', cloud_provider: 'aws' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await scanAndWait(cfnDrifts([{ id: 'Role', type: 'AWS::IAM::Role', diffs: [['/MaxSessionDuration', 3600, 43200]] }]));
    const target = (await driftRows(h.db, h.tenant.envId, { open: true })).find((r) => r.address === 'Role')!;
    const cmd = envelope('cmd.drift.resolve', other.id, env.id, { driftEventId: target.id, resolutionType: 'accepted' });
    await bus.js.publish(subjectFor('cmd.drift.resolve.v1', other.id, env.id, h.subjectRoot), JSON.stringify(cmd), {
      msgID: cmd.id,
    });
    const dl = await waitUntil(
      async () =>
        (await h.db.selectFrom('dead_letters').selectAll().where('message_id', '=', cmd.id).executeTakeFirst()) ?? undefined,
    );
    expect(dl.error).toMatch(/does not exist/);
    expect((await driftRows(h.db, h.tenant.envId)).find((r) => r.id === target.id)!.resolved).toBe(false);
  });
});

describe('sensitive values', () => {
  it('masks a changed secret everywhere it is stored, keeping only a keyed hash that shows it changed', async () => {
    const attributes = { id: 'db-1', engine: 'postgres', password: 'hunter2-old', username: 'app' };
    const state = {
      version: 4,
      terraform_version: '1.9.0',
      serial: 1,
      lineage: 'l',
      outputs: {},
      resources: [
        {
          mode: 'managed',
          type: 'aws_db_instance',
          name: 'main',
          provider: 'provider["registry.terraform.io/hashicorp/aws"]',
          instances: [{ schema_version: 1, attributes, sensitive_attributes: [[{ type: 'get_attr', value: 'password' }]] }],
        },
      ],
    };
    const inventory = {
      resources: [{ type: 'aws_db_instance', id: 'db-1', attributes: { ...attributes, password: 'hunter2-new' } }],
    };
    const scan = await h.waitForScan(await h.submit('tfstate', JSON.stringify({ state, inventory })));
    expect(scan.counts.driftsOpened).toBe(1);
    const drift = (await driftRows(h.db, h.tenant.envId, { open: true })).find((r) => r.address === 'aws_db_instance.main')!;
    expect(drift.changes).toHaveLength(1);
    expect(drift.changes[0]).toMatchObject({ path: '/password', sensitive: true, changeType: 'modified' });
    const hash = await h.db
      .selectFrom('drift_changes')
      .select('value_hash')
      .where('drift_event_id', '=', drift.id)
      .executeTakeFirstOrThrow();
    expect(hash.value_hash).toMatch(/^[0-9a-f]{64}$/);
    // keyed: not the plain sha256 anyone could recompute by guessing the secret
    expect(hash.value_hash).not.toBe(sensitiveValueHash('hunter2-old', 'hunter2-new'));

    // the secret is nowhere: not in drift rows, changes, events, audit rows nor the kept scan
    const everything = JSON.stringify([
      await h.db.selectFrom('drift_events').selectAll().execute(),
      await h.db.selectFrom('drift_changes').selectAll().execute(),
      await h.db.selectFrom('outbox').selectAll().execute(),
      await h.db.selectFrom('audit_log').selectAll().execute(),
      (await h.db.selectFrom('scans').selectAll().execute()).map((s) => ({
        ...s,
        payload: Buffer.from(s.payload).toString('latin1'),
      })),
    ]);
    expect(everything.match(/.{0,60}hunter2.{0,20}/g) ?? []).toEqual([]);
  });
});

describe('metrics', () => {
  it('exposes scan outcomes, drift churn and the backlog on /metrics', async () => {
    const text = await (await fetch(`${h.url}/metrics`)).text();
    const value = (series: RegExp) => Number(text.match(series)?.[1] ?? NaN);
    const completed = await h.db
      .selectFrom('scans')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('status', '=', 'completed')
      .where('format', '=', 'cloudformation')
      .executeTakeFirstOrThrow();
    expect(value(/^dg_ingest_scans_total\{format="cloudformation",outcome="completed",service="ingest"\} (\d+)$/m)).toBe(
      Number(completed.n),
    );
    const opened = await h.db
      .selectFrom('drift_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(value(/^dg_ingest_drifts_total\{action="opened",service="ingest"\} (\d+)$/m)).toBe(Number(opened.n));
    expect(value(/^dg_ingest_scans_waiting\{service="ingest"\} (\d+)$/m)).toBe(0);
    expect(text).toMatch(/^dg_ingest_scan_processing_seconds_count\{service="ingest",format="tfstate"\} 1$/m);
  });
});

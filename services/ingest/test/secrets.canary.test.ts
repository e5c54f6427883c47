import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '@driftguard/runtime';
import { streamNames } from '@driftguard/bus';
import { driftRows, startIngest, waitUntil, type IngestHarness } from './harness.js';
import {
  cloudformation,
  driftctl,
  ENCODED,
  kubernetes,
  native,
  rotated,
  TAG,
  terraformPlan,
  tfstate,
} from './secrets.canary.builders.js';
import { sensitiveValueHash } from '../src/diff/sensitive.mask.js';

/**
 * Canary secrets planted in every sensitive position of every scan format go through the real
 * ingest service (PostgreSQL, NATS, outbox relay) and are then looked for everywhere they could
 * have landed: a pg_dump of the database, every message on the service's streams, every log line.
 */
const lines: string[] = [];
let h: IngestHarness;
beforeAll(async () => {
  const log = createLogger({ level: 'trace', name: 'ingest-canary', destination: { write: (s: string) => void lines.push(s) } });
  h = await startIngest('canary', {}, log);
});
afterAll(async () => {
  await h?.stop();
});

/** Each canary found in `text`, with what surrounds it (so a failure shows where it leaked). */
const leaks = (text: string) =>
  [TAG, TAG.toLowerCase(), Buffer.from(TAG).toString('hex'), ...ENCODED]
    .filter((needle) => text.includes(needle))
    .map((needle) => text.slice(Math.max(0, text.indexOf(needle) - 300), text.indexOf(needle) + 100));

async function databaseDump(): Promise<string> {
  const { stdout } = await promisify(execFile)('pg_dump', ['--data-only', '--no-owner', h.tdb.url], {
    maxBuffer: 256 * 1024 * 1024,
  });
  return stdout;
}

async function streamMessages(): Promise<string> {
  const bus = await h.bus();
  const out: string[] = [];
  for (const name of Object.values(streamNames({ streamPrefix: h.streamPrefix }))) {
    const info = await bus.jsm.streams.info(name).catch(() => undefined);
    if (!info) continue;
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
      const m = await bus.jsm.streams.getMessage(name, { seq }).catch(() => undefined);
      if (m) out.push(m.subject, m.string(), JSON.stringify([...(m.header?.keys() ?? [])].map((k) => [k, m.header.get(k)])));
    }
  }
  return out.join('\n');
}

describe('secrets in scans', () => {
  const scans: Record<string, string> = {
    'terraform-plan': terraformPlan(),
    tfstate: tfstate(),
    driftctl: driftctl(),
    cloudformation: cloudformation(),
    kubernetes: kubernetes(),
    native: native(),
  };

  it('stores, publishes and logs no secret from any format, and still reports every drift', async () => {
    for (const [format, body] of Object.entries(scans)) {
      const scan = await h.waitForScan(await h.submit(format, body));
      expect(scan.status, `${format}: ${JSON.stringify(scan)}`).toBe('completed');
    }
    // every drift.detected is on NATS before the stream is read
    await waitUntil(
      async () => (await h.db.selectFrom('outbox').select('id').where('published_at', 'is', null).execute()).length === 0,
    );

    const rows = await driftRows(h.db, h.tenant.envId);
    const kinds = rows.map((r) => `${r.type} ${r.address ?? r.physicalId}`);
    for (const [type, id] of [
      ['modified', 'aws_lambda_function.plan_mod'],
      ['deleted', 'aws_db_instance.plan_del'],
      ['moved', 'aws_instance.plan_new'],
      ['modified', 'aws_db_instance.state_mod'],
      ['deleted', 'aws_db_instance.state_del'],
      ['added', 'db-state-add'],
      ['modified', 'dc-mod'],
      ['added', 'dc-add'],
      ['deleted', 'dc-del'],
      ['modified', 'CfnMod'],
      ['deleted', 'CfnDel'],
      ['modified', 'native_mod'],
      ['added', 'native_add'],
      ['deleted', 'native_del'],
      ['moved', 'native_new'],
    ])
      expect(
        kinds.some((k) => k.startsWith(`${type} `) && k.includes(id!)),
        `${type} ${id} in ${kinds.join(', ')}`,
      ).toBe(true);
    // masked changes are still reported as changed, next to the ordinary drift shown in clear
    const planMod = rows.find((r) => r.address === 'aws_lambda_function.plan_mod')!;
    expect(planMod.changes.find((c) => c.path === '/db_password')).toMatchObject({
      sensitive: true,
      declared: '(sensitive)',
      actual: '(sensitive)',
    });
    expect(planMod.changes.find((c) => c.path === '/description')).toMatchObject({ sensitive: true });
    expect(planMod.changes.find((c) => c.path === '/instance_type')).toMatchObject({
      sensitive: false,
      declared: 't3.micro',
      actual: 't3.large',
    });
    const k8s = rows.filter((r) => r.metadata.resource.kind !== undefined);
    expect(k8s.map((r) => `${r.type} ${r.metadata.resource.kind} ${r.metadata.resource.name}`).sort()).toEqual([
      'deleted Secret k8s-gone',
      'modified ConfigMap k8s-cfg',
      'modified Deployment k8s-api',
      'modified Secret k8s-sec',
    ]);
    const deployment = k8s.find((r) => r.metadata.resource.kind === 'Deployment')!;
    expect(deployment.changes.some((c) => c.sensitive)).toBe(true);
    expect(deployment.changes.some((c) => !c.sensitive && c.actual === 'api:2')).toBe(true);
    const dc = rows.find((r) => r.physicalId === 'dc-mod')!;
    expect(dc.changes.find((c) => c.path === '/tags/owner')).toMatchObject({
      sensitive: false,
      declared: 'team-a',
      actual: 'team-b',
    });

    const dump = await databaseDump();
    expect(dump).toContain('(sensitive)');
    expect(leaks(dump), 'database').toEqual([]);
    const messages = await streamMessages();
    expect(messages).toContain('.drift.detected.v1.');
    expect(messages).toContain('(sensitive)');
    expect(leaks(messages), 'NATS').toEqual([]);
    expect(lines.length).toBeGreaterThan(0);
    expect(leaks(lines.join('')), 'logs').toEqual([]);
  });

  it('keeps a keyed hash that changes when the secret changes and not otherwise', async () => {
    const hashOf = async (scanBody: string) => {
      await h.waitForScan(await h.submit('native', scanBody));
      const rows = await h.db
        .selectFrom('drift_changes')
        .innerJoin('drift_events', 'drift_events.id', 'drift_changes.drift_event_id')
        .select(['drift_changes.value_hash', 'drift_events.id', 'drift_events.fingerprint'])
        .where('drift_events.environment_id', '=', h.tenant.envId)
        .where('drift_changes.property_path', '=', '/password')
        .where('drift_events.resolved_at', 'is', null)
        .where(sql<string>`drift_events.metadata->'resource'->>'address'`, '=', 'aws_db_instance.rotated')
        .execute();
      if (rows.length !== 1) throw new Error(`expected one open change, got ${JSON.stringify(rows)}`);
      return rows[0]!.value_hash!;
    };
    const first = await hashOf(rotated(`${TAG}-old`, `${TAG}-new1`));
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(first).not.toBe(sensitiveValueHash(`${TAG}-old`, `${TAG}-new1`));
    expect(await hashOf(rotated(`${TAG}-old`, `${TAG}-new1`))).toBe(first);
    const second = await hashOf(rotated(`${TAG}-old`, `${TAG}-new2`));
    expect(second).not.toBe(first);
    expect(leaks(await databaseDump())).toEqual([]);
  });
});

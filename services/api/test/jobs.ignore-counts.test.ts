import { createHash, randomUUID } from 'node:crypto';
import { createDb, SERVICE_ROLES, type Database } from '@driftguard/db';
import { createLogger, parseConfig } from '@driftguard/runtime/boot';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiConfigSchema, runJob, type JobContext } from '../src/index.js';
import { startApi, type ApiHarness } from './identity.harness.js';

let h: ApiHarness;
let apiDb: Kysely<Database>;
let admin: string;

const ctx = (): JobContext => ({
  db: apiDb,
  settings: parseConfig(apiConfigSchema, {}),
  log: createLogger({ level: 'silent', name: 'api-ignore-counts-test' }),
  now: () => new Date(),
});

/** A scan row as ingest leaves it: its report names what each ignore rule held back. */
async function scan(orgId: number, envId: number, suppressed: Record<string, number>, status: 'completed' | 'processing') {
  const id = randomUUID();
  const payload = Buffer.from(id);
  await h.db
    .insertInto('scans')
    .values({
      id,
      organization_id: orgId,
      environment_id: envId,
      format: 'terraform_plan',
      source: 'http',
      status,
      payload,
      payload_sha256: createHash('sha256').update(payload).digest(),
      completed_at: status === 'completed' ? new Date() : null,
      report: JSON.stringify({ notChecked: [], alerts: [], suppressedByIgnoreRules: suppressed }),
    })
    .execute();
  return id;
}

async function counts(): Promise<Record<number, number>> {
  const rows = await h.db.selectFrom('ignore_rules').select(['id', 'suppressed_count']).execute();
  return Object.fromEntries(rows.map((r) => [r.id, Number(r.suppressed_count)]));
}

async function rule(token: string, body: object): Promise<number> {
  const r = await h.call('POST', '/v1/ignore-rules', { token, body });
  expect(r.status).toBe(201);
  return r.body.id;
}

beforeAll(async () => {
  h = await startApi('api_ignore_counts', { DG_JOBS_ENABLED: 'false' });
  apiDb = createDb(h.tdb.url, { max: 4, role: SERVICE_ROLES.api, applicationName: 'api-ignore-counts-test' });
  admin = h.a.tokens.admin.token;
}, 60_000);
afterAll(async () => {
  await apiDb?.destroy();
  await h?.stop();
});

describe('ignore-counts job', () => {
  it('adds what completed scans suppressed to their own organization’s rules, once per scan, with an audit row per rule', async () => {
    const buckets = await rule(admin, { resourceType: 'aws_s3_bucket', reason: 'managed elsewhere' });
    const tags = await rule(admin, { propertyPath: '/tags', syntax: 'json_pointer', reason: 'tag drift' });
    const theirs = await rule(h.b.tokens.admin.token, { resourceType: 'aws_instance', reason: 'b' });
    await scan(h.a.id, h.a.envId, { [buckets]: 3, 'driftignore:2': 5 }, 'completed');
    await scan(h.a.id, h.a.envId, { [buckets]: 4, [tags]: 2 }, 'completed');
    // A scan of A that names B's rule adds nothing to it; a scan still running is counted when it completes.
    await scan(h.a.id, h.a.envId, { [theirs]: 9 }, 'completed');
    const running = await scan(h.a.id, h.a.envId, { [buckets]: 100 }, 'processing');

    const first = await runJob(ctx(), 'ignore-counts');
    expect(first).toEqual({ status: 'done', result: { scans: 3, suppressed: 9, rules: 2 } });
    expect(await counts()).toEqual({ [buckets]: 7, [tags]: 2, [theirs]: 0 });
    const list = await h.call('GET', '/v1/ignore-rules', { token: h.a.tokens.viewer.token });
    expect(list.body.items.map((i: { id: number; suppressedCount: number }) => [i.id, i.suppressedCount])).toEqual([
      [buckets, 7],
      [tags, 2],
    ]);
    const audit = (await h.auditRows(h.a.id)).filter((r) => r.action === 'ignore_rule.suppressed_counted');
    expect(audit.map((r) => [Number(r.resource_id), r.old_values, r.new_values, r.user_id])).toEqual([
      [buckets, { suppressedCount: 0 }, { suppressedCount: 7 }, null],
      [tags, { suppressedCount: 0 }, { suppressedCount: 2 }, null],
    ]);
    expect((await h.auditRows(h.b.id)).filter((r) => r.action === 'ignore_rule.suppressed_counted')).toEqual([]);

    expect(await runJob(ctx(), 'ignore-counts')).toEqual({ status: 'done', result: { scans: 0, suppressed: 0, rules: 0 } });
    expect(await counts()).toEqual({ [buckets]: 7, [tags]: 2, [theirs]: 0 });

    await h.db.updateTable('scans').set({ status: 'completed', completed_at: new Date() }).where('id', '=', running).execute();
    await runJob(ctx(), 'ignore-counts');
    expect((await counts())[buckets]).toBe(107);
    // Deactivating a rule keeps its count.
    const off = await h.call('DELETE', `/v1/ignore-rules/${buckets}`, { token: admin });
    expect(off.body).toMatchObject({ isActive: false, suppressedCount: 107 });
  });

  it('counts each scan once when runs overlap, across more scans than one batch', async () => {
    const ports = await rule(admin, { resourceType: 'aws_security_group', reason: 'ports' });
    const before = (await counts())[ports] ?? 0;
    for (let i = 0; i < 1_100; i++) await scan(h.a.id, h.a.envId, { [ports]: 1 }, 'completed');
    const runs = await Promise.all([
      runJob(ctx(), 'ignore-counts'),
      runJob(ctx(), 'ignore-counts'),
      runJob(ctx(), 'ignore-counts'),
    ]);
    const done = runs.filter((r) => r.status === 'done');
    expect(done.length).toBeGreaterThanOrEqual(1);
    await runJob(ctx(), 'ignore-counts');
    expect((await counts())[ports]! - before).toBe(1_100);
    const marked = await h.db
      .selectFrom('ignore_rule_scan_counts')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('organization_id', '=', h.a.id)
      .executeTakeFirstOrThrow();
    expect(Number(marked.n)).toBe(1_104);
  });
});

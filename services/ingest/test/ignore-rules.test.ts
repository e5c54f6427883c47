import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant, driftRows, fixture, startIngest, type IngestHarness, type Tenant } from './harness.js';

let h: IngestHarness;
beforeAll(async () => {
  h = await startIngest('ignore');
});
afterAll(async () => {
  await h?.stop();
});

async function rule(
  t: Tenant,
  r: {
    resource_type?: string;
    address_pattern?: string;
    property_path?: string;
    syntax: 'driftignore' | 'json_pointer';
    environment_id?: number | null;
    is_active?: boolean;
  },
) {
  const row = await h.db
    .insertInto('ignore_rules')
    .values({ organization_id: t.orgId, environment_id: t.envId, reason: 'test', ...r })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function scan(t: Tenant, format: string, body: Buffer) {
  const id = await h.submit(format, body, { token: t.token });
  for (;;) {
    const r = await h.get(`/v1/scans/${id}`, t.token);
    if (r.body.status === 'completed') return r.body;
    if (['rejected', 'failed'].includes(r.body.status)) throw new Error(JSON.stringify(r.body));
    await new Promise((res) => setTimeout(res, 50));
  }
}

describe('ignore rules of an organization and environment', () => {
  it('suppresses resources by driftignore pattern and counts what each rule suppressed', async () => {
    const t = await createTenant(h.db);
    const unmanaged = await rule(t, { syntax: 'driftignore', address_pattern: 'aws_unmanaged_resource.*' });
    const inactive = await rule(t, { syntax: 'driftignore', address_pattern: 'aws_deleted_resource.*', is_active: false });
    const result = await scan(t, 'driftctl', fixture('driftctl/scan-output.v0.40.json'));
    const rows = await driftRows(h.db, t.envId);
    expect(rows.map((r) => [r.type, r.physicalId]).sort()).toEqual([
      ['deleted', 'deleted-id-1'],
      ['deleted', 'deleted-id-2'],
    ]);
    expect(result.report.suppressedByIgnoreRules).toEqual({ [unmanaged]: 2 });
    expect(result.report.suppressedByIgnoreRules[inactive]).toBeUndefined();
  });

  it('suppresses one property by JSON pointer, keeping the rest of the drift', async () => {
    const t = await createTenant(h.db);
    const timeout = await rule(t, { syntax: 'json_pointer', resource_type: 'AWS::Lambda::Function', property_path: '/Timeout' });
    const result = await scan(
      t,
      'cloudformation',
      fixture('cloudformation/describe-stack-resource-drifts.awscli-lambda-not-equal.json'),
    );
    const rows = await driftRows(h.db, t.envId);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.changes.map((c) => c.path)).toEqual(['/MemorySize']);
    expect(result.report.suppressedByIgnoreRules).toEqual({ [timeout]: 1 });
  });

  it('turns a drift whose every change is ignored into no drift at all', async () => {
    const t = await createTenant(h.db);
    await rule(t, { syntax: 'json_pointer', resource_type: 'AWS::Lambda::*', property_path: '/Timeout' });
    await rule(t, { syntax: 'json_pointer', resource_type: 'AWS::Lambda::*', property_path: '/MemorySize' });
    await scan(t, 'cloudformation', fixture('cloudformation/describe-stack-resource-drifts.awscli-lambda-not-equal.json'));
    expect(await driftRows(h.db, t.envId)).toEqual([]);
  });

  it('does not apply another environment’s rules', async () => {
    const t = await createTenant(h.db);
    const other = await h.db
      .insertInto('environments')
      .values({ organization_id: t.orgId, name: 'staging', slug: 'staging', cloud_provider: 'aws' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await rule(t, { syntax: 'driftignore', address_pattern: '*', environment_id: other.id });
    await scan(t, 'driftctl', fixture('driftctl/scan-output.v0.40.json'));
    expect(await driftRows(h.db, t.envId)).toHaveLength(4);
  });
});

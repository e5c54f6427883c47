import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { driftRows, startIngest, type IngestHarness } from './harness.js';

/**
 * Declared state kept at rest has its secrets masked, so a later scan that compares against it
 * must neither report every secret as drift nor store the live secret it read.
 */
let h: IngestHarness;
beforeAll(async () => {
  h = await startIngest('declsecrets');
});
afterAll(async () => {
  await h?.stop();
});

async function repository(tool: 'terraform' | 'kubernetes') {
  const repo = await h.db
    .insertInto('iac_repositories')
    .values({ environment_id: h.tenant.envId, name: tool, tool })
    .returning('id')
    .executeTakeFirstOrThrow();
  return repo.id;
}

async function upload(repositoryId: number, body: string) {
  const res = await fetch(`${h.url}/v1/repositories/${repositoryId}/declared`, {
    method: 'PUT',
    body,
    headers: { authorization: `Bearer ${h.tenant.token}` },
  });
  expect(res.status).toBe(200);
}

const secretsIn = async () =>
  JSON.stringify([
    await h.db.selectFrom('drift_events').selectAll().execute(),
    await h.db.selectFrom('drift_changes').selectAll().execute(),
    await h.db.selectFrom('outbox').selectAll().execute(),
  ]);

it('compares tfstate scans against stored state without false drift on, or leaks of, sensitive attributes', async () => {
  const attributes = { id: 'db-1', engine: 'postgres', password: 's3cr3t-value', instance_class: 'db.t3.micro' };
  await upload(
    await repository('terraform'),
    JSON.stringify({
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
    }),
  );
  const stored = await h.db.selectFrom('iac_resources').select('declared_state').executeTakeFirstOrThrow();
  expect(JSON.stringify(stored.declared_state)).not.toContain('s3cr3t');

  const same = { resources: [{ type: 'aws_db_instance', id: 'db-1', attributes }] };
  const clean = await h.waitForScan(await h.submit('tfstate', JSON.stringify({ inventory: same })));
  expect(clean.counts.driftsOpened).toBe(0);

  const resized = {
    resources: [{ type: 'aws_db_instance', id: 'db-1', attributes: { ...attributes, instance_class: 'db.r6g.4xlarge' } }],
  };
  await h.waitForScan(await h.submit('tfstate', JSON.stringify({ inventory: resized })));
  const [drift] = await driftRows(h.db, h.tenant.envId, { open: true });
  expect(drift!.changes.map((c) => [c.path, c.declared, c.actual])).toEqual([
    ['/instance_class', 'db.t3.micro', 'db.r6g.4xlarge'],
  ]);
  expect(await secretsIn()).not.toContain('s3cr3t');
});

it('compares live Kubernetes Secrets against stored manifests without false drift or leaks', async () => {
  const manifest =
    'apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: shop}\ntype: Opaque\ndata: {password: czNjcjN0LWs4cw==}\n';
  await upload(await repository('kubernetes'), manifest);
  const live = {
    apiVersion: 'v1',
    kind: 'List',
    items: [{ ...parseYaml(manifest), metadata: { name: 'db', namespace: 'shop', uid: 'u1', resourceVersion: '7' } }],
  };
  const scan = await h.waitForScan(await h.submit('kubernetes', JSON.stringify({ live })));
  expect(scan.status).toBe('completed');
  expect(scan.counts).toMatchObject({ resourcesSeen: 1, driftsOpened: 0 });
  expect(await secretsIn()).not.toContain('czNjcjN0LWs4cw');
});

it('stores manifests with env and ConfigMap secrets masked by name, and a live scan with the same values shows no drift', async () => {
  const manifest = [
    'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: shop}\nspec:\n  template:\n    spec:\n      containers:\n',
    '      - name: api\n        image: api:1\n        env: [{name: DB_PASSWORD, value: envs3cr3t-k8s}, {name: PORT, value: "80"}]\n',
    '---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg, namespace: shop}\ndata: {db_password: cms3cr3t-k8s, mode: blue}\n',
  ].join('');
  await upload(await repository('kubernetes'), manifest);
  const stored = JSON.stringify(await h.db.selectFrom('iac_resources').select('declared_state').execute());
  expect(stored).not.toContain('s3cr3t-k8s');
  expect(stored).toContain('"mode":"blue"');

  const live = {
    apiVersion: 'v1',
    kind: 'List',
    items: parseAllDocuments(manifest).map((d, i) => {
      const o = d.toJS();
      return { ...o, metadata: { ...o.metadata, uid: `u${i}`, resourceVersion: '1' } };
    }),
  };
  await h.waitForScan(await h.submit('kubernetes', JSON.stringify({ live })));
  // (the Secret stored by the test above is not live here, so only it may show as drift)
  const drifted = (await driftRows(h.db, h.tenant.envId, { open: true })).map((r) => r.metadata.resource.name);
  expect(drifted).not.toContain('api');
  expect(drifted).not.toContain('cfg');
  expect(await secretsIn()).not.toContain('s3cr3t-k8s');
});

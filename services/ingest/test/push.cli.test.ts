import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dg, FIXTURES, fixture, startIngest, type IngestHarness } from './harness.js';

let h: IngestHarness;
beforeAll(async () => {
  h = await startIngest('push');
});
afterAll(async () => {
  await h?.stop();
});

describe('dg push', () => {
  it('submits a file, prints the scan id and, with --wait, the outcome', async () => {
    const env = { DG_URL: h.url, DG_TOKEN: h.tenant.token };
    const r = await dg(
      [
        'push',
        '--env',
        `${h.tenant.orgSlug}/prod`,
        '--format',
        'driftctl',
        '--full',
        '--wait',
        resolve(FIXTURES, 'driftctl/scan-output.v0.40.json'),
      ],
      env,
    );
    expect(r.stderr).toMatch(/completed: 6 resources seen, 4 drifts opened/);
    expect(r.code).toBe(0);
    const scanId = r.stdout.trim();
    expect(scanId).toMatch(/^[0-9a-f-]{36}$/);
    const scan = await h.get(`/v1/scans/${scanId}`);
    expect(scan.body).toMatchObject({ status: 'completed', full: true, source: 'cli' });
  });

  it('reads standard input', async () => {
    const r = await dg(
      ['push', '--format', 'cloudformation', '-'],
      { DG_URL: h.url, DG_TOKEN: h.tenant.token },
      fixture('cloudformation/describe-stack-resource-drifts.awscli-lambda-not-equal.json'),
    );
    expect(r.code).toBe(0);
    expect((await h.waitForScan(r.stdout.trim())).counts.driftsOpened).toBe(1);
  });

  it('exits non-zero with the problem when the scan is refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dg-push-'));
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{"StackResourceDrifts": "nope"}');
    const r = await dg(['push', '--format', 'cloudformation', file], { DG_URL: h.url, DG_TOKEN: h.tenant.token });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/422/);
    expect(r.stderr).toMatch(/StackResourceDrifts/);
  });

  it('explains a missing token or file and exits 2', async () => {
    const noToken = await dg(['push', '--format', 'driftctl', resolve(FIXTURES, 'driftctl/scan-output.v0.40.json')], {
      DG_URL: h.url,
    });
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toMatch(/DG_TOKEN/);
    const noFile = await dg(['push', '--format', 'driftctl', '/nonexistent/scan.json'], {
      DG_URL: h.url,
      DG_TOKEN: h.tenant.token,
    });
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toMatch(/no such file/);
  });

  it('refuses a token for another environment', async () => {
    const r = await dg(
      ['push', '--env', 'someone-else/prod', '--format', 'driftctl', resolve(FIXTURES, 'driftctl/scan-output.v0.40.json')],
      { DG_URL: h.url, DG_TOKEN: h.tenant.token },
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/404/);
  });

  it('uploads declared state with --declared, which later tfstate scans compare against', async () => {
    const repo = await h.db
      .insertInto('iac_repositories')
      .values({ environment_id: h.tenant.envId, name: 'network', tool: 'terraform' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const env = { DG_URL: h.url, DG_TOKEN: h.tenant.token };
    const up = await dg(
      ['push', '--declared', '--repo', String(repo.id), resolve(FIXTURES, 'driftctl/tfstate-v4-security-group.tfstate')],
      env,
    );
    expect(up.code).toBe(0);
    expect(JSON.parse(up.stdout)).toMatchObject({ repositoryId: repo.id, added: 2, removed: 0, total: 2 });
    const ids = await h.db
      .selectFrom('iac_resources')
      .select(['resource_id'])
      .where('iac_repository_id', '=', repo.id)
      .orderBy('resource_id')
      .execute();
    expect(ids.map((r) => r.resource_id)).toEqual(['aws_default_security_group.test-default-sg', 'aws_security_group.test-sg']);

    // an inventory-only scan now uses the stored state: the default group is gone from the cloud
    const inventory = {
      resources: [
        { type: 'aws_security_group', id: 'sg-0254c038e32f25530', attributes: { id: 'sg-0254c038e32f25530', name: 'foo' } },
      ],
    };
    const scanId = await h.submit('tfstate', JSON.stringify({ inventory }));
    expect((await h.waitForScan(scanId)).status).toBe('completed');
    const drift = await h.db
      .selectFrom('drift_events')
      .select(['drift_type', 'iac_resource_id', 'metadata'])
      .where('scan_id', '=', scanId)
      .execute();
    expect(drift.map((d) => [d.drift_type, (d.metadata as any).resource.address])).toEqual([
      ['deleted', 'aws_default_security_group.test-default-sg'],
    ]);
    expect(drift[0]!.iac_resource_id).not.toBeNull();
  });

  it('refuses --declared without a repository id', async () => {
    const r = await dg(['push', '--declared', resolve(FIXTURES, 'driftctl/tfstate-v4-security-group.tfstate')], {
      DG_URL: h.url,
      DG_TOKEN: h.tenant.token,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--repo/);
  });
});

import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PermanentError } from '@driftguard/bus';
import { encryptSecret, parseKeyring } from '@driftguard/db';
import { createTestDatabase, type TestDatabase } from '@driftguard/db/testing';
import { createLogger, createOutboundGuard, parseOutboundAllowList } from '@driftguard/runtime';
import { uuidv7 } from 'uuidv7';
import { checkoutBranch } from '../src/declared/git-checkout.js';
import { credentialsContext } from '../src/declared/git-credentials.js';
import { syncRepository, type GitSyncContext } from '../src/declared/git-sync.js';
import { createRepoSyncScheduler } from '../src/declared/repo-sync.scheduler.js';
import { cmdRepoSyncV1 } from '../src/handlers/index.js';
import { capturedLogger, LocalRepo, serveGitOverHttp, tempDir } from './declared.git-support.js';
import { repositoryRow, resourceIds, tenantRows, type TenantRows } from './declared.support.js';

const keyring = parseKeyring(`k1:${Buffer.alloc(32, 7).toString('base64')}`);
const silent = createLogger({ level: 'silent', name: 'ingest' });
/** Test git servers listen on loopback, which only the allow list opens. */
const loopbackAllowed = createOutboundGuard({ allow: parseOutboundAllowList('127.0.0.1,::1') });

let tdb: TestDatabase;
let tenant: TenantRows;
let tmp: ReturnType<typeof tempDir>;
let ctx: GitSyncContext;

beforeAll(async () => {
  tdb = await createTestDatabase('ingest_declared_git');
  tenant = await tenantRows(tdb.db);
  tmp = tempDir('dg-git-sync-test-');
  ctx = {
    db: tdb.db,
    log: silent,
    keyring,
    workDir: join(tmp.path, 'work'),
    allowLocalRepositories: true,
    outbound: loopbackAllowed,
  };
  writeFileSync(join(tmp.path, 'outside.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: outside-the-repository}\n');
});
afterAll(async () => {
  await tdb?.destroy();
  tmp?.remove();
});

const deployment = (name: string, image = 'nginx:1.27') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: shop
spec:
  replicas: 2
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec:
      containers:
        - name: ${name}
          image: ${image}
`;
const service = (name: string) => `apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: shop}
spec:
  ports: [{port: 80}]
`;

function workDirEntries(): string[] {
  const dir = join(tmp.path, 'work');
  return existsSync(dir) ? readdirSync(dir) : [];
}

describe('syncRepository from git', () => {
  it('reads Kubernetes manifests of the branch, then removes what a later commit deletes', async () => {
    const repo = new LocalRepo(tmp.path, 'k8s-shop')
      .write({
        'apps/web.yaml': `${deployment('web')}---\n${service('web')}`,
        'apps/api.yml': deployment('api'),
        'cluster/namespace.json': JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }),
        'README.md': 'apiVersion and kind live in the manifests',
        'config/settings.yaml': 'kind: not-a-manifest\nvalues: {apiVersion: 2}\n',
        'chart/Chart.yaml': 'apiVersion: v2\nname: shop\nversion: 1.0.0\n',
        'chart/templates/deploy.yaml':
          'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n{{- if .Values.x }}\n',
        '.github/workflows/ci.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: hidden}\n',
      })
      .symlink('apps/outside.yaml', join(tmp.path, 'outside.yaml'));
    const first = repo.commit('shop manifests');
    const id = await repositoryRow(tdb.db, tenant.envId, 'kubernetes', { url: repo.dir, branch: 'main' });

    const outcome = await syncRepository(ctx, id);
    expect(outcome).toMatchObject({
      status: 'synced',
      commit: first,
      counts: { added: 4, updated: 0, removed: 0, total: 4 },
      rejected: [],
    });
    expect(await resourceIds(tdb.db, id)).toEqual([
      'apps/v1/Deployment/shop/api',
      'apps/v1/Deployment/shop/web',
      'v1/Namespace//shop',
      'v1/Service/shop/web',
    ]);
    const synced = await tdb.db
      .selectFrom('iac_repositories')
      .select('last_sync_at')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(synced.last_sync_at).toBeInstanceOf(Date);

    repo.write({ 'apps/web.yaml': deployment('web', 'nginx:1.28') }).remove('apps/api.yml');
    const second = repo.commit('drop api, bump web, no web service');
    const again = await syncRepository(ctx, id);
    expect(again).toMatchObject({
      status: 'synced',
      commit: second,
      counts: { added: 0, updated: 1, unchanged: 1, removed: 2, total: 2 },
    });
    expect(await resourceIds(tdb.db, id)).toEqual(['apps/v1/Deployment/shop/web', 'v1/Namespace//shop']);
    const web = await tdb.db
      .selectFrom('iac_resources')
      .select('declared_state')
      .where('iac_repository_id', '=', id)
      .where('resource_id', '=', 'apps/v1/Deployment/shop/web')
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(web.declared_state)).toContain('nginx:1.28');

    const audit = await tdb.db
      .selectFrom('audit_log')
      .select('new_values')
      .where('resource_type', '=', 'iac_repository')
      .where('resource_id', '=', id)
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.new_values)).toEqual([
      {
        added: 4,
        updated: 0,
        unchanged: 0,
        removed: 0,
        total: 4,
        source: 'git',
        commit: first,
        branch: 'main',
        trigger: 'manual',
        files: 3,
        rejected: 0,
      },
      {
        added: 0,
        updated: 1,
        unchanged: 1,
        removed: 2,
        total: 2,
        source: 'git',
        commit: second,
        branch: 'main',
        trigger: 'manual',
        files: 2,
        rejected: 0,
      },
    ]);
    expect(workDirEntries()).toEqual([]);
  });

  it('reads CloudFormation templates and qualifies a logical id two templates share', async () => {
    const template = (bucket: string) => `AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties: {BucketName: !Sub '${bucket}-\${AWS::Region}'}
  ${bucket}Queue:
    Type: AWS::SQS::Queue
`;
    const repo = new LocalRepo(tmp.path, 'cfn-stacks').write({
      'stacks/a.yaml': template('Alpha'),
      'stacks/b.template': template('Beta'),
      'stacks/params.json': JSON.stringify({ Parameters: [{ ParameterKey: 'Env', ParameterValue: 'prod' }] }),
      'docs/notes.yaml': 'Resources: [see AWS::S3::Bucket docs]\n',
    });
    repo.commit('two stacks');
    const id = await repositoryRow(tdb.db, tenant.envId, 'cloudformation', { url: `file://${repo.dir}` });
    const outcome = await syncRepository(ctx, id);
    expect(outcome).toMatchObject({ status: 'synced', counts: { added: 4, total: 4 } });
    expect(await resourceIds(tdb.db, id)).toEqual([
      'AlphaQueue',
      'BetaQueue',
      'stacks/a.yaml#Bucket',
      'stacks/b.template#Bucket',
    ]);
    if (outcome.status !== 'synced') throw new Error('not synced');
    expect(outcome.warnings).toEqual([
      {
        path: 'stacks/a.yaml#/Resources/Bucket',
        reason: 'logical id Bucket is also declared in stacks/b.template; stored as stacks/a.yaml#Bucket',
      },
      {
        path: 'stacks/b.template#/Resources/Bucket',
        reason: 'logical id Bucket is also declared in stacks/a.yaml; stored as stacks/b.template#Bucket',
      },
    ]);
  });

  it('stops at a manifest that does not parse, naming file and line, and keeps the previous state', async () => {
    const repo = new LocalRepo(tmp.path, 'k8s-broken').write({ 'web.yaml': deployment('web') });
    repo.commit('good');
    const id = await repositoryRow(tdb.db, tenant.envId, 'kubernetes', { url: repo.dir });
    await syncRepository(ctx, id);
    repo.write({ 'web.yaml': `${deployment('web')}---\napiVersion: v1\nkind: Service\nmetadata: {name: [web}\n` });
    repo.commit('broken');
    const err = await syncRepository(ctx, id).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'unreadable_file', permanent: true });
    expect((err as Error).message).toMatch(/^commit [0-9a-f]{12}: web\.yaml: YAML document 1 \(0-based\), line 18, column \d+: /);
    expect(await resourceIds(tdb.db, id)).toEqual(['apps/v1/Deployment/shop/web']);
    expect(workDirEntries()).toEqual([]);
  });

  it('refuses local paths unless allowed, and unknown repositories', async () => {
    const repo = new LocalRepo(tmp.path, 'k8s-local').write({ 'web.yaml': deployment('web') });
    repo.commit('x');
    const id = await repositoryRow(tdb.db, tenant.envId, 'kubernetes', { url: repo.dir });
    await expect(syncRepository({ ...ctx, allowLocalRepositories: false }, id)).rejects.toMatchObject({
      code: 'checkout_refused',
      message: `IaC repository ${id}: local repository paths are not allowed on this server`,
    });
    await expect(syncRepository(ctx, 2_000_000_000)).rejects.toMatchObject({ code: 'repository_not_found' });
  });
});

describe('credentials', () => {
  it('sends decrypted credentials as an HTTP header only, and never logs them', async () => {
    const secret = 'ghp_S3cretTokenValue0123456789abcdef';
    const expected = `Basic ${Buffer.from(`deploy-bot:${secret}`).toString('base64')}`;
    const source = new LocalRepo(tmp.path, 'k8s-private').write({ 'web.yaml': deployment('web') });
    source.commit('private manifests');
    const root = join(tmp.path, 'served');
    source.bareCopy(tmp.path, 'served/private.git');
    const server = await serveGitOverHttp(root, expected);
    try {
      const id = await repositoryRow(tdb.db, tenant.envId, 'kubernetes', { url: `${server.url}/private.git` });
      const stored = encryptSecret(JSON.stringify({ username: 'deploy-bot', token: secret }), keyring, credentialsContext(id));
      await tdb.db.updateTable('iac_repositories').set({ credentials_encrypted: stored }).where('id', '=', id).execute();

      const { log, lines } = capturedLogger();
      const outcome = await syncRepository({ ...ctx, log, allowLocalRepositories: false }, id);
      expect(outcome).toMatchObject({ status: 'synced', counts: { added: 1 } });
      expect(await resourceIds(tdb.db, id)).toEqual(['apps/v1/Deployment/shop/web']);
      expect(server.authorizations.length).toBeGreaterThan(0);
      expect(server.authorizations.every((a) => a === expected)).toBe(true);

      // Without the keyring the stored credentials cannot be used: the decrypt path is the only way in.
      await expect(syncRepository({ ...ctx, keyring: undefined, log }, id)).rejects.toMatchObject({
        code: 'credentials_unavailable',
      });
      const otherKeyring = parseKeyring(`k1:${Buffer.alloc(32, 9).toString('base64')}`);
      await expect(syncRepository({ ...ctx, keyring: otherKeyring, log }, id)).rejects.toMatchObject({
        code: 'credentials_unavailable',
      });

      // A wrong secret: git fails, and neither the error nor the log shows the secret.
      const wrongSecret = 'ghp_WrongTokenValue9876543210fedcba';
      const wrong = encryptSecret(wrongSecret, keyring, credentialsContext(id));
      await tdb.db.updateTable('iac_repositories').set({ credentials_encrypted: wrong }).where('id', '=', id).execute();
      const failed = await syncRepository({ ...ctx, log }, id).catch((e: unknown) => e);
      expect(failed).toMatchObject({ code: 'clone_failed', permanent: false });
      const scheduler = createRepoSyncScheduler({ ...ctx, log, intervalMs: 1 });
      await scheduler.runOnce();
      await scheduler.stop();

      const text = `${lines.join('\n')}\n${(failed as Error).message}\n${(failed as Error).stack ?? ''}`;
      expect(lines.some((l) => l.includes('repository synced'))).toBe(true);
      expect(lines.some((l) => l.includes('repository sync failed') && l.includes(`"repositoryId":${id}`))).toBe(true);
      for (const value of [
        secret,
        wrongSecret,
        expected.slice('Basic '.length),
        Buffer.from(`x-access-token:${wrongSecret}`).toString('base64'),
      ]) {
        expect(text).not.toContain(value);
      }
    } finally {
      await server.close();
    }
  });

  it('keeps credentials out of the checkout: no token in .git/config or the remote URL', async () => {
    const secret = 'glpat-AnotherSecretValue42';
    const expected = `Basic ${Buffer.from(`x-access-token:${secret}`).toString('base64')}`;
    const source = new LocalRepo(tmp.path, 'k8s-checkout').write({ 'web.yaml': deployment('web') });
    source.commit('x');
    const root = join(tmp.path, 'served2');
    source.bareCopy(tmp.path, 'served2/repo.git');
    const server = await serveGitOverHttp(root, expected);
    try {
      const checkout = await checkoutBranch({
        url: `${server.url}/repo.git`,
        branch: 'main',
        credentials: { secret },
        workDir: join(tmp.path, 'work'),
        allowLocal: false,
        guard: loopbackAllowed,
        timeoutMs: 60_000,
      });
      try {
        const config = readFileSync(join(checkout.dir, '.git', 'config'), 'utf8');
        expect(config).toContain(`url = ${server.url}/repo.git`);
        expect(config).not.toContain(secret);
        expect(config).not.toContain(expected.slice('Basic '.length));
        expect(config.toLowerCase()).not.toContain('extraheader');
      } finally {
        await checkout.remove();
      }
      expect(existsSync(checkout.dir)).toBe(false);
    } finally {
      await server.close();
    }
  });
});

describe('scheduler and cmd.repo.sync.v1', () => {
  it('syncs due git repositories one at a time and leaves fresh ones alone', async () => {
    const fresh = await tenantRows(tdb.db);
    const repo = new LocalRepo(tmp.path, 'k8s-scheduled').write({ 'web.yaml': deployment('web') });
    repo.commit('x');
    const due = await repositoryRow(tdb.db, fresh.envId, 'kubernetes', { url: repo.dir });
    const tf = await repositoryRow(tdb.db, fresh.envId, 'terraform', { url: repo.dir, branch: 'terraform' });
    const uploadOnly = await repositoryRow(tdb.db, fresh.envId, 'kubernetes');

    const scheduler = createRepoSyncScheduler({ ...ctx, intervalMs: 60_000 });
    await scheduler.runOnce();
    expect(await resourceIds(tdb.db, due)).toEqual(['apps/v1/Deployment/shop/web']);
    const lastSync = async (id: number) =>
      (await tdb.db.selectFrom('iac_repositories').select('last_sync_at').where('id', '=', id).executeTakeFirstOrThrow())
        .last_sync_at;
    const first = await lastSync(due);
    expect(first).toBeInstanceOf(Date);
    expect(await lastSync(tf)).toBeNull();
    expect(await lastSync(uploadOnly)).toBeNull();

    await scheduler.runOnce();
    expect((await lastSync(due))!.getTime()).toBe(first!.getTime());
    scheduler.start();
    await scheduler.stop();
    await scheduler.stop();
  });

  it('takes a sync command in the message transaction, marks the repository due, and syncs it outside that transaction', async () => {
    const repo = new LocalRepo(tmp.path, 'k8s-command').write({ 'web.yaml': deployment('web') });
    repo.commit('x');
    const id = await repositoryRow(tdb.db, tenant.envId, 'kubernetes', { url: repo.dir });
    const scheduler = createRepoSyncScheduler({ ...ctx, intervalMs: 60_000 });
    const requested: number[] = [];
    const handler = cmdRepoSyncV1({ requestSync: (repositoryId) => requested.push(repositoryId) });
    const event = (orgId: number, envId: number, repositoryId = id) => ({
      id: uuidv7(),
      type: 'cmd.repo.sync' as const,
      occurredAt: new Date().toISOString(),
      orgId,
      envId,
      data: { repositoryId, reason: 'push to main' },
    });
    const meta = (tx: Parameters<typeof handler>[1]['tx']) => ({
      tx,
      subject: 'dg.cmd.repo.sync.v1',
      deliveryCount: 1,
      streamSeq: 1,
      log: silent,
      headers: {},
    });

    const other = await tenantRows(tdb.db);
    const refused = await tdb.db
      .transaction()
      .execute((tx) => handler(event(other.orgId, other.envId), meta(tx)).catch((e: unknown) => e));
    expect(refused).toBeInstanceOf(PermanentError);
    const uploadOnly = await repositoryRow(tdb.db, tenant.envId, 'terraform', { name: 'state-only' });
    const permanent = await tdb.db
      .transaction()
      .execute((tx) => handler(event(tenant.orgId, tenant.envId, uploadOnly), meta(tx)).catch((e: unknown) => e));
    expect(permanent).toBeInstanceOf(PermanentError);
    expect((permanent as Error).message).toContain('has no repository URL to sync from');
    expect(requested).toEqual([]);

    await syncRepository(ctx, id, { trigger: 'schedule' });
    await tdb.db.transaction().execute((tx) => handler(event(tenant.orgId, tenant.envId), meta(tx)));
    expect(requested).toEqual([id]);
    // Due for every instance's next round, should this one stop before syncing.
    const row = await tdb.db.selectFrom('iac_repositories').select('last_sync_at').where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.last_sync_at).toBeNull();

    repo.write({ 'api.yaml': deployment('api') });
    repo.commit('add api');
    scheduler.requestSync(id, tenant.orgId);
    await scheduler.runOnce();
    await scheduler.stop();
    expect(await resourceIds(tdb.db, id)).toEqual(['apps/v1/Deployment/shop/api', 'apps/v1/Deployment/shop/web']);
    const audit = await tdb.db
      .selectFrom('audit_log')
      .select('new_values')
      .where('resource_type', '=', 'iac_repository')
      .where('resource_id', '=', id)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(audit.new_values).toMatchObject({ trigger: 'command', added: 1 });
  });
});

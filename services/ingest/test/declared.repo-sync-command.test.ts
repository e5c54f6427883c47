import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { subjectFor } from '@driftguard/contracts';
import { LocalRepo, serveGitOverHttp, tempDir, type GitHttpServer } from './declared.git-support.js';
import { repositoryRow, resourceIds } from './declared.support.js';
import { envelope, startIngest, waitUntil, type IngestHarness } from './harness.js';

let h: IngestHarness;
let tmp: ReturnType<typeof tempDir>;
let server: GitHttpServer;
let repo: LocalRepo;
let bare: string;

beforeAll(async () => {
  tmp = tempDir('dg-repo-sync-command-');
  repo = new LocalRepo(tmp.path, 'src').write({
    'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: first, namespace: shop}\n',
  });
  repo.commit('first');
  bare = repo.bareCopy(tmp.path, 'served/repo.git');
  server = await serveGitOverHttp(join(tmp.path, 'served'));
  // The git server is on loopback: the service reaches it only because DG_OUTBOUND_ALLOW says so.
  h = await startIngest('ingest_repo_sync_command', { DG_OUTBOUND_ALLOW: `127.0.0.1:${server.port}` });
});
afterAll(async () => {
  await h?.stop();
  await server?.close();
  tmp?.remove();
});

it('syncs a repository from git on dg.cmd.repo.sync.v1, through DG_OUTBOUND_ALLOW', async () => {
  const id = await repositoryRow(h.db, h.tenant.envId, 'kubernetes', { url: `${server.url}/repo.git` });
  const bus = await h.bus();
  const command = async () => {
    const cmd = envelope('cmd.repo.sync', h.tenant.orgId, h.tenant.envId, { repositoryId: id, reason: 'push to main' });
    await bus.js.publish(subjectFor('cmd.repo.sync.v1', h.tenant.orgId, h.tenant.envId, h.subjectRoot), JSON.stringify(cmd), {
      msgID: cmd.id,
    });
  };
  await command();
  await waitUntil(async () => (await resourceIds(h.db, id)).length === 1);
  repo.write({ 'more.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: second, namespace: shop}\n' });
  repo.commit('second');
  repo.pushTo(bare);

  await command();
  await waitUntil(async () => (await resourceIds(h.db, id)).length === 2);
  expect(await resourceIds(h.db, id)).toEqual(['v1/ConfigMap/shop/first', 'v1/ConfigMap/shop/second']);
  const audit = await h.db
    .selectFrom('audit_log')
    .select('new_values')
    .where('resource_type', '=', 'iac_repository')
    .where('resource_id', '=', id)
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
  expect(audit.new_values).toMatchObject({ trigger: 'command', added: 1 });
});

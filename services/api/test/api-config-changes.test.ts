import { randomUUID } from 'node:crypto';
import { decryptSecret, openChannelConfiguration, parseKeyring } from '@driftguard/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { integrationSecretContext, repositoryCredentialsContext } from '../src/index.js';
import { MASTER_KEY, testChannels, webhookSecret } from './api-fixtures.js';
import { startApi, type ApiHarness } from './identity.harness.js';

let h: ApiHarness;
let admin: string;
const keyring = parseKeyring(MASTER_KEY);

beforeAll(async () => {
  h = await startApi('api_config_changes', { DG_MASTER_KEY: MASTER_KEY }, { channels: testChannels() });
  admin = h.a.tokens.admin.token;
}, 60_000);
afterAll(async () => h?.stop());

/** Runs `change` and returns the audit rows it left (the test asserts there is exactly one). */
async function auditedBy(change: () => Promise<unknown>) {
  const before = (await h.auditRows(h.a.id)).length;
  await change();
  return (await h.auditRows(h.a.id)).slice(before);
}

const syncCommands = async (repositoryId: number) =>
  (await h.db.selectFrom('outbox').select('payload').where('event_type', '=', 'cmd.repo.sync.v1').execute()).filter((r) =>
    JSON.stringify(r.payload).includes(`"repositoryId":${repositoryId}`),
  ).length;

describe('changing and removing configuration through the api', () => {
  it('changes a repository: credentials write-only and re-encrypted for it, one audit row, a resync when its source changed', async () => {
    const created = await h.call('POST', '/v1/repositories', {
      token: admin,
      body: { environment: 'prod', tool: 'kubernetes', url: 'https://git.example.com/acme/infra.git' },
    });
    expect(created.status).toBe(201);
    const id: number = created.body.id;
    const synced = await syncCommands(id);
    let res: Awaited<ReturnType<ApiHarness['call']>> | undefined;
    const rows = await auditedBy(async () => {
      res = await h.call('PATCH', `/v1/repositories/${id}`, {
        token: admin,
        body: { name: 'platform', branch: 'release', credentials: 'ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' },
      });
    });
    expect(res?.status, res?.text).toBe(200);
    expect(res?.body).toMatchObject({ id, name: 'platform', branch: 'release', hasCredentials: true });
    expect(res?.text).not.toContain('ghp_');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      action: 'iac_repository.updated',
      resource_id: id,
      success: true,
      old_values: { name: 'infra', branch: 'main', hasCredentials: false },
      new_values: { name: 'platform', branch: 'release', hasCredentials: true, credentialsChanged: 'replaced' },
    });
    expect(JSON.stringify(rows[0])).not.toContain('ghp_');
    const stored = await h.db
      .selectFrom('iac_repositories')
      .select('credentials_encrypted')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(decryptSecret(stored.credentials_encrypted!, keyring, repositoryCredentialsContext(id))).toBe(
      'ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
    );
    expect(await syncCommands(id)).toBe(synced + 1);

    // A rename alone syncs nothing; removing the credentials is recorded as such.
    const renamed = await h.call('PATCH', `/v1/repositories/${id}`, {
      token: admin,
      body: { name: 'platform-2', credentials: null },
    });
    expect(renamed.body).toMatchObject({ name: 'platform-2', hasCredentials: false });
    expect(await syncCommands(id)).toBe(synced + 2);
    const plain = await h.call('PATCH', `/v1/repositories/${id}`, { token: admin, body: { name: 'platform-3' } });
    expect(plain.status).toBe(200);
    expect(await syncCommands(id)).toBe(synced + 2);
  });

  it('refuses a repository change the registration would refuse, and changes nothing', async () => {
    const other = await h.call('POST', '/v1/repositories', {
      token: admin,
      body: { environment: 'prod', tool: 'kubernetes', url: 'https://git.example.com/acme/apps.git', name: 'apps' },
    });
    const id: number = other.body.id;
    const internal = await h.call('PATCH', `/v1/repositories/${id}`, {
      token: admin,
      body: { url: 'https://169.254.169.254/x.git' },
    });
    expect(internal.status).toBe(400);
    const taken = await h.call('PATCH', `/v1/repositories/${id}`, { token: admin, body: { name: 'platform-3' } });
    expect(taken.status).toBe(409);
    const withPassword = await h.call('PATCH', `/v1/repositories/${id}`, {
      token: admin,
      body: { url: 'https://user:pw@git.example.com/acme/apps.git' },
    });
    expect(withPassword.status).toBe(400);
    const row = await h.db
      .selectFrom('iac_repositories')
      .select(['name', 'repository_url'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ name: 'apps', repository_url: 'https://git.example.com/acme/apps.git' });
    expect((await h.call('PATCH', `/v1/repositories/${id}`, { token: admin, body: {} })).status).toBe(400);
    expect((await h.call('PATCH', '/v1/repositories/2147483000', { token: admin, body: { name: 'x' } })).status).toBe(404);
  });

  it('deletes a repository, but answers 409 while it holds declared resources', async () => {
    const created = await h.call('POST', '/v1/repositories', {
      token: admin,
      body: { environment: 'prod', tool: 'terraform', name: 'tf' },
    });
    const id: number = created.body.id;
    await h.db
      .insertInto('iac_resources')
      .values({
        iac_repository_id: id,
        resource_type: 'aws_instance',
        resource_id: 'aws_instance.web',
        declared_state: JSON.stringify({}),
      })
      .execute();
    const refused = await h.call('DELETE', `/v1/repositories/${id}`, { token: admin });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'repository_in_use' });
    expect(refused.body.detail).toContain('1 declared resources');
    await h.db.deleteFrom('iac_resources').where('iac_repository_id', '=', id).execute();
    const rows = await auditedBy(async () => {
      const gone = await h.call('DELETE', `/v1/repositories/${id}`, { token: admin });
      expect(gone.body).toEqual({ id, deleted: true });
    });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: 'iac_repository.deleted', old_values: { name: 'tf', tool: 'terraform' } });
    expect(await h.db.selectFrom('iac_repositories').select('id').where('id', '=', id).executeTakeFirst()).toBeUndefined();
  });

  it('rotates and removes an integration secret; neither answer nor audit row holds it', async () => {
    const created = await h.call('POST', '/v1/integrations', {
      token: admin,
      body: { environment: 'prod', source: 'github', secret: 'first-secret-0123456789' },
    });
    const id: string = created.body.id;
    let res: Awaited<ReturnType<ApiHarness['call']>> | undefined;
    const rows = await auditedBy(async () => {
      res = await h.call('PATCH', `/v1/integrations/${id}`, { token: admin, body: { secret: 'second-secret-0123456789' } });
    });
    expect(res?.status).toBe(200);
    expect(res?.body).toMatchObject({ id, source: 'github', environmentId: h.a.envId });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      action: 'integration.secret_rotated',
      new_values: { integrationId: id, secretChanged: 'replaced' },
    });
    expect(JSON.stringify([rows, res?.text])).not.toMatch(/(first|second)-secret/);
    const stored = await h.db
      .selectFrom('integrations')
      .select('secret_encrypted')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(decryptSecret(stored.secret_encrypted, keyring, integrationSecretContext(id))).toBe('second-secret-0123456789');
    expect((await h.call('PATCH', `/v1/integrations/${id}`, { token: admin, body: { secret: 'short' } })).status).toBe(400);
    expect((await h.call('DELETE', `/v1/integrations/${randomUUID()}`, { token: admin })).status).toBe(404);
    expect((await h.call('DELETE', `/v1/integrations/not-a-uuid`, { token: admin })).status).toBe(400);
    expect((await h.call('DELETE', `/v1/integrations/${id}`, { token: admin })).body).toEqual({ id, deleted: true });
    expect(await h.db.selectFrom('integrations').select('id').where('id', '=', id).executeTakeFirst()).toBeUndefined();
  });

  it('changes a channel: merged over the stored configuration, validated by its adapter, secrets re-sealed under its new name and never shown', async () => {
    const secret = webhookSecret();
    const created = await h.call('POST', '/v1/channels', {
      token: admin,
      body: { name: 'ops-hook', type: 'webhook', config: { url: 'https://hooks.example.com/a', secrets: [secret] } },
    });
    expect(created.status).toBe(201);
    const id: number = created.body.id;
    let res: Awaited<ReturnType<ApiHarness['call']>> | undefined;
    const rows = await auditedBy(async () => {
      res = await h.call('PATCH', `/v1/channels/${id}`, {
        token: admin,
        body: { name: 'ops-hook-2', isDefault: true, config: { url: 'https://hooks.example.com/b' } },
      });
    });
    expect(res?.status, res?.text).toBe(200);
    expect(res?.body).toMatchObject({
      id,
      name: 'ops-hook-2',
      isDefault: true,
      configuration: { url: '(secret)', secrets: '(secret)' },
    });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      action: 'notification_channel.updated',
      old_values: { name: 'ops-hook', isDefault: false },
      new_values: { name: 'ops-hook-2', isDefault: true, secretsReplaced: ['url'] },
    });
    expect(JSON.stringify([rows, res?.text])).not.toContain('hooks.example.com/b');
    expect(JSON.stringify([rows, res?.text])).not.toContain(secret);
    const stored = await h.db
      .selectFrom('notification_channels')
      .select('configuration')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    const opened = openChannelConfiguration(stored.configuration, keyring, { organizationId: h.a.id, channelName: 'ops-hook-2' });
    expect(opened).toMatchObject({ url: 'https://hooks.example.com/b', secrets: [secret] });

    const invalid = await h.call('PATCH', `/v1/channels/${id}`, { token: admin, body: { config: { url: 'not a url' } } });
    expect(invalid.status).toBe(400);
    const after = await h.db
      .selectFrom('notification_channels')
      .select('configuration')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(after.configuration).toEqual(stored.configuration);
  });

  it('changes a routing rule with the notifier’s schema, and will not switch on a rule whose channel was removed', async () => {
    await h.call('POST', '/v1/channels', {
      token: admin,
      body: { name: 'route-hook', type: 'webhook', config: { url: 'https://hooks.example.com/r', secrets: [webhookSecret()] } },
    });
    const rule = await h.call('POST', '/v1/routing-rules', { token: admin, body: { channel: 'route-hook', name: 'to hook' } });
    const id: number = rule.body.id;
    const rows = await auditedBy(async () => {
      const res = await h.call('PATCH', `/v1/routing-rules/${id}`, {
        token: admin,
        body: { minPriority: 'high', environment: 'prod', continue: true },
      });
      expect(res.status, res.text).toBe(200);
      expect(res.body).toMatchObject({ id, minPriority: 'high', envSlug: 'prod', continue: true, isActive: true });
    });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      old_values: { minPriority: 'low', envSlug: null },
      new_values: { minPriority: 'high', envSlug: 'prod' },
    });
    expect(
      (await h.call('PATCH', `/v1/routing-rules/${id}`, { token: admin, body: { match: { resourceTypes: 'no' } } })).status,
    ).toBe(400);
    expect((await h.call('PATCH', `/v1/routing-rules/${id}`, { token: admin, body: { channel: 'nowhere' } })).status).toBe(404);
    const channelId = (await h.call('GET', '/v1/channels', { token: admin })).body.items.find(
      (c: { name: string }) => c.name === 'route-hook',
    ).id;
    await h.call('DELETE', `/v1/channels/${channelId}`, { token: admin });
    const again = await h.call('PATCH', `/v1/routing-rules/${id}`, { token: admin, body: { isActive: true } });
    expect(again.status).toBe(409);
  });

  it('changes an ignore rule and keeps its suppression count; a rule that would match nothing in particular is refused', async () => {
    const rule = await h.call('POST', '/v1/ignore-rules', {
      token: admin,
      body: { resourceType: 'aws_instance', addressPattern: 'aws_instance.tmp*', reason: 'scratch boxes' },
    });
    const id: number = rule.body.id;
    await h.db.updateTable('ignore_rules').set({ suppressed_count: '7' }).where('id', '=', id).execute();
    const rows = await auditedBy(async () => {
      const res = await h.call('PATCH', `/v1/ignore-rules/${id}`, {
        token: admin,
        body: { addressPattern: null, reason: 'every instance', expiresAt: '2099-01-01T00:00:00Z' },
      });
      expect(res.status, res.text).toBe(200);
      expect(res.body).toMatchObject({ addressPattern: null, reason: 'every instance', suppressedCount: 7, isActive: true });
    });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ old_values: { addressPattern: 'aws_instance.tmp*' }, new_values: { addressPattern: null } });
    const nothing = await h.call('PATCH', `/v1/ignore-rules/${id}`, { token: admin, body: { resourceType: null } });
    expect(nothing.status).toBe(400);
    expect((await h.call('PATCH', `/v1/ignore-rules/${id}`, { token: admin, body: { environment: 'nope' } })).status).toBe(404);
  });

  it('removes a recommendation policy override: the defaults apply again, and a later one continues the numbering', async () => {
    const document = {
      rules: [
        {
          id: 'quiet',
          when: { production: false },
          then: { recommendationType: 'manual_review', priority: 'low', estimatedEffort: 'hours', expiresIn: '2d' },
        },
      ],
    };
    const set = await h.call('PUT', '/v1/recommendation-policy', { token: admin, body: { document } });
    expect(set.status, set.text).toBe(200);
    const rows = await auditedBy(async () => {
      const removed = await h.call('DELETE', '/v1/recommendation-policy', { token: admin });
      expect(removed.body).toEqual({ retiredVersions: 1 });
    });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: 'recommendation_policy.removed', new_values: { activeVersion: null } });
    expect((await h.call('GET', '/v1/recommendation-policy', { token: admin })).body).toEqual({ policy: null });
    const nothingLeft = await auditedBy(async () => {
      expect((await h.call('DELETE', '/v1/recommendation-policy', { token: admin })).status).toBe(404);
    });
    expect(nothingLeft.filter((r) => r.success)).toHaveLength(0);
    const again = await h.call('PUT', '/v1/recommendation-policy', { token: admin, body: { document } });
    expect(again.body.policy.version).toBe(2);
    expect((await h.call('DELETE', '/v1/recommendation-policy?environment=nope', { token: admin })).status).toBe(404);
  });
});

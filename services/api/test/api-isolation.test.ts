import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MASTER_KEY, seedDrift, testChannels, webhookSecret, type SeededDrift } from './api-fixtures.js';
import { startApi, type ApiHarness } from './identity.harness.js';

let h: ApiHarness;
let theirs: SeededDrift;
let mine: SeededDrift;
const b: Record<'repo' | 'channel' | 'rule' | 'route', number> = { repo: 0, channel: 0, rule: 0, route: 0 };
let bIntegration = '';

beforeAll(async () => {
  h = await startApi('api_isolation', { DG_MASTER_KEY: MASTER_KEY }, { channels: testChannels() });
  theirs = await seedDrift(h.db, h.b.envId, { address: 'aws_instance.theirs' });
  mine = await seedDrift(h.db, h.a.envId, { address: 'aws_instance.mine' });
  const adminB = h.b.tokens.admin.token;
  b.repo = (
    await h.call('POST', '/v1/repositories', { token: adminB, body: { environment: 'prod', tool: 'terraform' } })
  ).body.id;
  b.channel = (
    await h.call('POST', '/v1/channels', {
      token: adminB,
      body: { name: 'b-hook', type: 'webhook', config: { url: 'https://hooks.example.com/b', secrets: [webhookSecret()] } },
    })
  ).body.id;
  b.route = (await h.call('POST', '/v1/routing-rules', { token: adminB, body: { channel: 'b-hook' } })).body.id;
  b.rule = (
    await h.call('POST', '/v1/ignore-rules', { token: adminB, body: { resourceType: 'aws_instance', reason: 'b' } })
  ).body.id;
  bIntegration = (
    await h.call('POST', '/v1/integrations', {
      token: adminB,
      body: { environment: 'prod', source: 'github', secret: 'b-secret-0123456789abc' },
    })
  ).body.id;
  expect(Object.values(b).every((id) => typeof id === 'number' && id > 0)).toBe(true);
  expect(bIntegration).toMatch(/^[0-9a-f-]{36}$/);
}, 60_000);
afterAll(async () => h?.stop());

describe('tenant isolation: a token of organization A on organization B’s objects', () => {
  const cases: [string, string, () => string, unknown?][] = [
    ['reads a drift', 'GET', () => `/v1/drifts/${theirs.driftId}`],
    ['reads an environment', 'GET', () => `/v1/environments/${h.b.envId}`],
    ['changes an environment', 'PATCH', () => `/v1/environments/${h.b.envId}`, { name: 'taken' }],
    ['resolves a drift', 'POST', () => `/v1/drifts/${theirs.driftId}/resolve`, { resolutionType: 'accepted' }],
    ['answers a recommendation', 'POST', () => `/v1/recommendations/${theirs.recommendationId}/respond`, { action: 'accept' }],
    ['acknowledges a notification', 'POST', () => `/v1/notifications/${theirs.notificationId}/acknowledge`],
    ['syncs a repository', 'POST', () => `/v1/repositories/${b.repo}/sync`],
    ['tests a channel', 'POST', () => `/v1/channels/${b.channel}/test`],
    ['changes a repository', 'PATCH', () => `/v1/repositories/${b.repo}`, { name: 'taken', credentials: 'ghp_x' }],
    ['deletes a repository', 'DELETE', () => `/v1/repositories/${b.repo}`],
    ['rotates an integration secret', 'PATCH', () => `/v1/integrations/${bIntegration}`, { secret: 'a-secret-0123456789abc' }],
    ['deletes an integration', 'DELETE', () => `/v1/integrations/${bIntegration}`],
    [
      'changes a channel',
      'PATCH',
      () => `/v1/channels/${b.channel}`,
      { name: 'taken', config: { url: 'https://a.example.com/' } },
    ],
    ['changes a routing rule', 'PATCH', () => `/v1/routing-rules/${b.route}`, { minPriority: 'critical' }],
    ['changes an ignore rule', 'PATCH', () => `/v1/ignore-rules/${b.rule}`, { reason: 'taken' }],
    ['deletes a channel', 'DELETE', () => `/v1/channels/${b.channel}`],
    ['deletes a routing rule', 'DELETE', () => `/v1/routing-rules/${b.route}`],
    ['deletes an ignore rule', 'DELETE', () => `/v1/ignore-rules/${b.rule}`],
    ['revokes a token', 'DELETE', () => `/v1/tokens/${h.b.tokens.viewer.id}`],
    ['changes a user', 'PATCH', () => `/v1/users/${h.b.users.viewer.id}`, { role: 'admin' }],
  ];
  for (const [what, method, path, body] of cases) {
    it(`${what}: 404, and nothing changes`, async () => {
      const before = await h.db
        .selectFrom('outbox')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow();
      const r = await h.call(method, path(), { token: h.a.tokens.admin.token, body });
      expect(r.status).toBe(404);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
      const after = await h.db
        .selectFrom('outbox')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow();
      expect(after.n).toBe(before.n);
    });
  }

  it('leaves B’s objects as they were', async () => {
    const env = await h.db.selectFrom('environments').select('name').where('id', '=', h.b.envId).executeTakeFirstOrThrow();
    expect(env.name).toBe('prod');
    const channel = await h.db
      .selectFrom('notification_channels')
      .select('is_active')
      .where('id', '=', b.channel)
      .executeTakeFirstOrThrow();
    expect(channel.is_active).toBe(true);
    const rule = await h.db
      .selectFrom('ignore_rules')
      .select(['is_active', 'reason'])
      .where('id', '=', b.rule)
      .executeTakeFirstOrThrow();
    expect(rule).toEqual({ is_active: true, reason: 'b' });
    const repo = await h.db.selectFrom('iac_repositories').select('name').where('id', '=', b.repo).executeTakeFirstOrThrow();
    expect(repo.name).toBe('terraform');
    const route = await h.db
      .selectFrom('routing_rules')
      .select('min_priority')
      .where('id', '=', b.route)
      .executeTakeFirstOrThrow();
    expect(route.min_priority).toBe('low');
    const integration = await h.db.selectFrom('integrations').select('key_id').where('id', '=', bIntegration).executeTakeFirst();
    expect(integration).toBeDefined();
  });

  it('never lists B’s objects, filters by B’s environment slug match nothing, exports hold only A’s rows', async () => {
    const token = h.a.tokens.admin.token;
    const drifts = await h.call('GET', '/v1/drifts', { token });
    expect(drifts.body.items.map((d: { id: number }) => d.id)).toEqual([mine.driftId]);
    const bySlug = await h.call('GET', `/v1/drifts?environment=prod&q=theirs`, { token });
    expect(bySlug.body.items).toEqual([]);
    for (const [path, id] of [
      ['/v1/repositories', b.repo],
      ['/v1/channels', b.channel],
      ['/v1/ignore-rules', b.rule],
    ] as const) {
      const list = await h.call('GET', path, { token });
      expect(list.status).toBe(200);
      expect(list.body.items.map((x: { id: number }) => x.id)).not.toContain(id);
    }
    const csv = await h.call('GET', '/v1/drifts/export.csv', { token });
    expect(csv.text).not.toContain('theirs');
    expect(csv.text).toContain('mine');
    const envs = await h.call('GET', '/v1/environments', { token });
    expect(envs.body.items.map((e: { id: number }) => e.id)).toEqual([h.a.envId]);
  });
});

describe('roles', () => {
  const mutations: [string, string, () => string, unknown?][] = [
    ['POST /v1/environments', 'POST', () => '/v1/environments', { slug: 'x', cloudProvider: 'aws' }],
    ['PATCH /v1/environments/:id', 'PATCH', () => `/v1/environments/${h.a.envId}`, { name: 'x' }],
    ['POST /v1/repositories', 'POST', () => '/v1/repositories', { environment: 'prod', tool: 'terraform' }],
    ['POST /v1/ignore-rules', 'POST', () => '/v1/ignore-rules', { resourceType: 'x', reason: 'y' }],
    ['POST /v1/routing-rules', 'POST', () => '/v1/routing-rules', { channel: 'x' }],
    ['PUT /v1/recommendation-policy', 'PUT', () => '/v1/recommendation-policy', { document: {} }],
    ['POST /v1/drifts/:id/resolve', 'POST', () => `/v1/drifts/${mine.driftId}/resolve`, { resolutionType: 'accepted' }],
    [
      'POST /v1/recommendations/:id/respond',
      'POST',
      () => `/v1/recommendations/${mine.recommendationId}/respond`,
      { action: 'accept' },
    ],
    ['POST /v1/notifications/:id/acknowledge', 'POST', () => `/v1/notifications/${mine.notificationId}/acknowledge`],
    [
      'POST /v1/silences',
      'POST',
      () => '/v1/silences',
      { environment: 'prod', matchers: [{ name: 'a', value: 'b' }], endsAt: '2099-01-01T00:00:00Z', comment: 'c' },
    ],
  ];
  for (const [what, method, path, body] of mutations) {
    it(`a viewer may not ${what}`, async () => {
      const r = await h.call(method, path(), { token: h.a.tokens.viewer.token, body });
      expect(r.status).toBe(403);
    });
  }

  it('an engineer acts on drift but may not change configuration', async () => {
    const env = await h.call('POST', '/v1/environments', {
      token: h.a.tokens.engineer.token,
      body: { slug: 'eng', cloudProvider: 'aws' },
    });
    expect(env.status).toBe(403);
    const ack = await h.call('POST', `/v1/notifications/${mine.notificationId}/acknowledge`, {
      token: h.a.tokens.engineer.token,
    });
    expect(ack.status).toBe(202);
  });

  it('a scanner token cannot read drift, configuration or analytics', async () => {
    for (const path of [
      '/v1/drifts',
      `/v1/drifts/${mine.driftId}`,
      '/v1/drifts/export.csv',
      '/v1/environments',
      '/v1/channels',
      '/v1/analytics/dashboard',
    ]) {
      const r = await h.call('GET', path, { token: h.a.tokens.scanner.token });
      expect(r.status, path).toBe(403);
    }
  });

  it('no credentials: 401', async () => {
    expect((await h.call('GET', '/v1/drifts')).status).toBe(401);
  });
});

describe('rate limits per token', () => {
  let limited: ApiHarness;
  beforeAll(async () => {
    limited = await startApi('api_rate', { DG_API_RATE_LIMIT: '3', DG_API_RATE_WINDOW_MS: '60000' });
  }, 60_000);
  afterAll(async () => limited?.stop());

  it('answers 429 with Retry-After once a token spent its requests, while another token goes on', async () => {
    const token = limited.a.tokens.viewer.token;
    for (let i = 0; i < 3; i++) expect((await limited.call('GET', '/v1/environments', { token })).status).toBe(200);
    const over = await limited.call('GET', '/v1/environments', { token });
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(over.headers.get('content-type')).toContain('application/problem+json');
    expect(over.body).toMatchObject({ code: 'rate_limited', status: 429 });
    expect((await limited.call('GET', '/v1/environments', { token: limited.a.tokens.admin.token })).status).toBe(200);
  });
});

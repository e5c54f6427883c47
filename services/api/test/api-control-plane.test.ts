import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MASTER_KEY, seedDrift, testChannels, webhookSecret, type SeededDrift } from './api-fixtures.js';
import { startApi, type ApiHarness } from './identity.harness.js';

let h: ApiHarness;
let admin: string;
let engineer: string;
let viewer: string;
let d1: SeededDrift;
let d2: SeededDrift;
let receiver: Server;
let receiverUrl: string;
const received: string[] = [];

beforeAll(async () => {
  h = await startApi(
    'api_control_plane',
    { DG_MASTER_KEY: MASTER_KEY, DG_OUTBOUND_ALLOW: '127.0.0.1' },
    { channels: testChannels() },
  );
  admin = h.a.tokens.admin.token;
  engineer = h.a.tokens.engineer.token;
  viewer = h.a.tokens.viewer.token;
  d1 = await seedDrift(h.db, h.a.envId, {
    address: 'aws_security_group.web',
    detectedAt: new Date(Date.now() - 60_000),
    severity: 0.9,
  });
  d2 = await seedDrift(h.db, h.a.envId, { address: 'aws_s3_bucket.logs', severity: 0.2, driftType: 'added' });
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push(body);
      if (req.url === '/refuse') res.writeHead(400, { 'content-type': 'text/plain' }).end('bad payload');
      else res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
}, 60_000);

afterAll(async () => {
  if (receiver) await new Promise<void>((resolve) => receiver.close(() => resolve()));
  await h?.stop();
});

const auditCount = async () => (await h.auditRows(h.a.id)).length;
const outbox = (type: string) =>
  h.db.selectFrom('outbox').selectAll().where('event_type', '=', type).orderBy('created_at').orderBy('id').execute();

describe('configuration', () => {
  it('creates, reads and changes an environment with tags and tier, one audit row per change naming the token', async () => {
    const before = await auditCount();
    const created = await h.call('POST', '/v1/environments', {
      token: admin,
      body: {
        slug: 'staging',
        cloudProvider: 'gcp',
        region: 'europe-west1',
        accountId: 'proj-1',
        tags: { team: 'core' },
        tier: 'staging',
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      slug: 'staging',
      cloudProvider: 'gcp',
      tags: { team: 'core', tier: 'staging' },
      tier: 'staging',
    });
    const changed = await h.call('PATCH', `/v1/environments/${created.body.id}`, {
      token: admin,
      body: { tier: 'production', region: null },
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ tier: 'production', region: null, tags: { team: 'core', tier: 'production' } });
    const rows = (await h.auditRows(h.a.id)).slice(before);
    expect(rows.map((r) => r.action)).toEqual(['environment.created', 'environment.updated']);
    expect(rows.every((r) => r.session_id === `token:${h.a.tokens.admin.id}`)).toBe(true);
    expect(rows[1].old_values).toMatchObject({ tier: 'staging', region: 'europe-west1' });
    const list = await h.call('GET', '/v1/environments', { token: viewer });
    expect(list.body.items.map((e: { slug: string }) => e.slug)).toEqual(['prod', 'staging']);
  });

  it('renames the organization, keeping its slug, with the old and new name audited', async () => {
    const r = await h.call('PATCH', '/v1/organization', { token: admin, body: { name: 'Acme Platform' } });
    expect(r.body).toEqual({ id: h.a.id, slug: h.a.slug, name: 'Acme Platform' });
    const last = (await h.auditRows(h.a.id)).at(-1);
    expect(last).toMatchObject({
      action: 'organization.updated',
      old_values: { name: h.a.slug },
      new_values: { name: 'Acme Platform' },
    });
    expect((await h.call('PATCH', '/v1/organization', { token: engineer, body: { name: 'x' } })).status).toBe(403);
  });

  it('refuses a duplicate environment slug with 409 and records the failed attempt', async () => {
    const r = await h.call('POST', '/v1/environments', { token: admin, body: { slug: 'prod', cloudProvider: 'aws' } });
    expect(r.status).toBe(409);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    const last = (await h.auditRows(h.a.id)).at(-1);
    expect(last).toMatchObject({ action: 'environment.created', success: false });
  });

  it('stores repository credentials encrypted, never shows them, and queues cmd.repo.sync on create and resync', async () => {
    const r = await h.call('POST', '/v1/repositories', {
      token: admin,
      body: {
        environment: 'prod',
        tool: 'kubernetes',
        url: 'https://git.example.com/infra.git',
        credentials: 'ghp_supersecretvalue123',
      },
    });
    expect(r.status).toBe(201);
    expect(r.body.hasCredentials).toBe(true);
    expect(r.text).not.toContain('supersecret');
    const row = await h.db.selectFrom('iac_repositories').selectAll().where('id', '=', r.body.id).executeTakeFirstOrThrow();
    expect(row.credentials_encrypted).not.toBeNull();
    expect(Buffer.from(row.credentials_encrypted ?? Buffer.alloc(0)).toString('latin1')).not.toContain('supersecret');
    const audit = (await h.auditRows(h.a.id)).at(-1);
    expect(JSON.stringify(audit)).not.toContain('supersecret');
    const sync = await h.call('POST', `/v1/repositories/${r.body.id}/sync`, { token: admin });
    expect(sync.status).toBe(202);
    const cmds = await outbox('cmd.repo.sync.v1');
    expect(cmds.map((c) => (c.payload as { data: { repositoryId: number } }).data.repositoryId)).toEqual([r.body.id, r.body.id]);
    const list = await h.call('GET', '/v1/repositories', { token: viewer });
    expect(list.text).not.toContain('supersecret');
    expect(list.body.items).toHaveLength(1);
  });

  it('keeps integration signing secrets write-only', async () => {
    const secret = 'a-very-long-signing-secret-value';
    const r = await h.call('POST', '/v1/integrations', { token: admin, body: { environment: 'prod', source: 'github', secret } });
    expect(r.status).toBe(201);
    const list = await h.call('GET', '/v1/integrations', { token: admin });
    expect(list.body.items).toHaveLength(1);
    expect(list.text + r.text).not.toContain(secret);
    expect(JSON.stringify(await h.auditRows(h.a.id))).not.toContain(secret);
  });

  it('adds a webhook channel validated by its adapter, never returns its secrets, sends a test and deactivates it', async () => {
    const secret = webhookSecret();
    const bad = await h.call('POST', '/v1/channels', {
      token: admin,
      body: { name: 'bad', type: 'webhook', config: { url: 'ftp://x' } },
    });
    expect(bad.status).toBe(400);
    const r = await h.call('POST', '/v1/channels', {
      token: admin,
      body: { name: 'hook', type: 'webhook', config: { url: receiverUrl, secrets: [secret] } },
    });
    expect(r.status).toBe(201);
    expect(r.text).not.toContain(secret);
    expect(r.text).not.toContain(receiverUrl);
    const list = await h.call('GET', '/v1/channels', { token: viewer });
    expect(list.text).not.toContain(secret);
    const test = await h.call('POST', `/v1/channels/${r.body.id}/test`, { token: admin });
    expect(test.status).toBe(200);
    expect(test.body).toMatchObject({ ok: true, status: 200 });
    expect(received.length).toBe(1);
    expect(JSON.parse(received[0] ?? '{}')).toBeTypeOf('object');
    const refusing = await h.call('POST', '/v1/channels', {
      token: admin,
      body: { name: 'refusing', type: 'webhook', config: { url: receiverUrl.replace('/hook', '/refuse'), secrets: [secret] } },
    });
    const refused = await h.call('POST', `/v1/channels/${refusing.body.id}/test`, { token: admin });
    expect(refused.body).toMatchObject({ ok: false, status: 400, retryable: false });
    expect((await h.auditRows(h.a.id)).at(-1)).toMatchObject({
      action: 'notification_channel.tested',
      new_values: { ok: false, status: 400 },
    });
    const rule = await h.call('POST', '/v1/routing-rules', {
      token: admin,
      body: { channel: 'hook', minPriority: 'high', environment: 'prod' },
    });
    expect(rule.status).toBe(201);
    expect((await h.call('GET', '/v1/routing-rules', { token: viewer })).body.items).toHaveLength(1);
    const ruleOff = await h.call('DELETE', `/v1/routing-rules/${rule.body.id}`, { token: admin });
    expect(ruleOff.body).toEqual({ id: rule.body.id, isActive: false });
    expect((await h.call('GET', '/v1/routing-rules', { token: viewer })).body.items[0]).toMatchObject({ id: rule.body.id });
    const stored = await h.db
      .selectFrom('routing_rules')
      .select('is_active')
      .where('id', '=', rule.body.id)
      .executeTakeFirstOrThrow();
    expect(stored.is_active).toBe(false);
    const gone = await h.call('DELETE', `/v1/channels/${r.body.id}`, { token: admin });
    expect(gone.body).toMatchObject({ isActive: false });
    expect((await h.call('DELETE', `/v1/channels/${r.body.id}`, { token: admin })).status).toBe(404);
    expect(JSON.stringify(await h.auditRows(h.a.id))).not.toContain(secret);
  });

  it('creates a silence as cmd.silence.create for the notifier and refuses an empty window', async () => {
    const endsAt = new Date(Date.now() + 3_600_000).toISOString();
    const body = {
      environment: 'prod',
      matchers: [{ name: 'resourceType', value: 'aws_s3_bucket' }],
      endsAt,
      comment: 'migration',
    };
    const r = await h.call('POST', '/v1/silences', { token: engineer, body });
    expect(r.status).toBe(202);
    const [cmd] = await outbox('cmd.silence.create.v1');
    expect(cmd?.payload).toMatchObject({ orgId: h.a.id, envId: h.a.envId, data: { comment: 'migration', endsAt } });
    // The notifier stores the silence when it handles the command; the api lists what it stored.
    await h.db
      .insertInto('silences')
      .values({
        organization_id: h.a.id,
        matchers: JSON.stringify(body.matchers),
        starts_at: new Date(Date.now() - 1000),
        ends_at: new Date(endsAt),
        created_by: 'token:1',
        comment: 'migration',
      })
      .execute();
    await h.db
      .insertInto('maintenance_windows')
      .values({ organization_id: h.a.id, name: 'nightly', start_time: '01:00', end_time: '03:00' })
      .execute();
    const silences = await h.call('GET', '/v1/silences', { token: viewer });
    expect(silences.body.items).toEqual([expect.objectContaining({ comment: 'migration', active: true, endsAt })]);
    const windows = await h.call('GET', '/v1/maintenance-windows', { token: viewer });
    expect(windows.body.items).toEqual([expect.objectContaining({ name: 'nightly', startTime: '01:00', endTime: '03:00' })]);
    const past = await h.call('POST', '/v1/silences', {
      token: engineer,
      body: { ...body, endsAt: new Date(Date.now() - 1000).toISOString() },
    });
    expect(past.status).toBe(422);
  });

  it('adds a maintenance window as cmd.maintenance_window.create for the notifier and refuses a bad one', async () => {
    const body = {
      environment: 'prod',
      name: 'patch night',
      kind: 'maintenance',
      weekdays: [2, 4],
      startTime: '22:00',
      endTime: '02:00',
      timeZone: 'Europe/Berlin',
    };
    const r = await h.call('POST', '/v1/maintenance-windows', { token: engineer, body });
    expect(r.status).toBe(202);
    const [cmd] = await outbox('cmd.maintenance_window.create.v1');
    expect(cmd?.payload).toMatchObject({
      orgId: h.a.id,
      envId: h.a.envId,
      data: { name: 'patch night', weekdays: [2, 4], startTime: '22:00', endTime: '02:00', timeZone: 'Europe/Berlin' },
    });
    for (const bad of [{ timeZone: 'Mars/Olympus' }, { startTime: '25:00' }, { weekdays: [1, 1] }]) {
      const refused = await h.call('POST', '/v1/maintenance-windows', { token: engineer, body: { ...body, ...bad } });
      expect(refused.status, JSON.stringify(bad)).toBe(400);
    }
    const viewerTry = await h.call('POST', '/v1/maintenance-windows', { token: viewer, body });
    expect(viewerTry.status).toBe(403);
  });

  it('keeps ignore rules, each with its suppression count, and deactivates one on delete', async () => {
    const r = await h.call('POST', '/v1/ignore-rules', {
      token: admin,
      body: { resourceType: 'aws_s3_bucket', reason: 'managed elsewhere' },
    });
    expect(r.status).toBe(201);
    expect(r.body.suppressedCount).toBe(0);
    const missing = await h.call('POST', '/v1/ignore-rules', { token: admin, body: { reason: 'matches nothing' } });
    expect(missing.status).toBe(400);
    const staging = await h.call('POST', '/v1/ignore-rules', {
      token: admin,
      body: { environment: 'staging', propertyPath: '/tags', syntax: 'json_pointer', reason: 'tags drift' },
    });
    expect(staging.status).toBe(201);
    const list = await h.call('GET', '/v1/ignore-rules', { token: viewer });
    expect(list.body.items.map((i: { id: number }) => i.id)).toEqual([r.body.id, staging.body.id]);
    expect(list.body.items[1]).toMatchObject({ id: staging.body.id, syntax: 'json_pointer', suppressedCount: 0 });
    const off = await h.call('DELETE', `/v1/ignore-rules/${r.body.id}`, { token: admin });
    expect(off.body).toMatchObject({ isActive: false, suppressedCount: 0 });
  });

  it('stores policy overrides through the same validation as dg policy set', async () => {
    expect((await h.call('GET', '/v1/recommendation-policy', { token: viewer })).body).toEqual({ policy: null });
    const bad = await h.call('PUT', '/v1/recommendation-policy', { token: admin, body: { document: { rules: 'nope' } } });
    expect(bad.status).toBe(400);
    const unknownEnv = await h.call('GET', '/v1/recommendation-policy?environment=nope', { token: viewer });
    expect(unknownEnv.status).toBe(404);
  });
});

describe('drifts', () => {
  it('lists with filters and cursor pages, newest first', async () => {
    const all = await h.call('GET', '/v1/drifts?limit=1', { token: viewer });
    expect(all.status).toBe(200);
    expect(all.body.items.map((d: { id: number }) => d.id)).toEqual([d2.driftId]);
    const next = await h.call('GET', `/v1/drifts?limit=1&cursor=${all.body.nextCursor}`, { token: viewer });
    expect(next.body.items.map((d: { id: number }) => d.id)).toEqual([d1.driftId]);
    expect(next.body.nextCursor).toBeNull();
    const bySeverity = await h.call('GET', '/v1/drifts?sort=-severity&limit=1', { token: viewer });
    expect(bySeverity.status).toBe(200);
    const lessSevere = await h.call('GET', `/v1/drifts?sort=-severity&limit=1&cursor=${bySeverity.body.nextCursor}`, {
      token: viewer,
    });
    expect(bySeverity.body.items[0].severityScore).toBeGreaterThanOrEqual(lessSevere.body.items[0].severityScore);
    const otherOrder = await h.call('GET', `/v1/drifts?sort=address&cursor=${bySeverity.body.nextCursor}`, { token: viewer });
    expect(otherOrder.status).toBe(400);
    expect(otherOrder.body.detail).toContain('continues the order -severity');
    expect((await h.call('GET', '/v1/drifts?sort=colour', { token: viewer })).status).toBe(400);
    const oldestFirst = await h.call('GET', '/v1/drifts?sort=oldest&limit=1', { token: viewer });
    expect(oldestFirst.body.items.map((d: { id: number }) => d.id)).toEqual([d1.driftId]);
    const oldestNext = await h.call('GET', `/v1/drifts?sort=oldest&limit=1&cursor=${oldestFirst.body.nextCursor}`, {
      token: viewer,
    });
    expect(oldestNext.body.items.map((d: { id: number }) => d.id)).toEqual([d2.driftId]);
    const severe = await h.call('GET', '/v1/drifts?minSeverity=0.5&maxSeverity=1', { token: viewer });
    expect(severe.body.items.map((d: { id: number }) => d.id)).toEqual([d1.driftId]);
    const added = await h.call('GET', '/v1/drifts?driftType=added&status=open', { token: viewer });
    expect(added.body.items.map((d: { id: number }) => d.id)).toEqual([d2.driftId]);
    await h.db.updateTable('recommendations').set({ priority: 'critical' }).where('id', '=', d1.recommendationId).execute();
    const critical = await h.call('GET', '/v1/drifts?priority=critical,high', { token: viewer });
    expect(critical.body.items.map((d: { id: number }) => d.id)).toEqual([d2.driftId, d1.driftId]);
    const onlyCritical = await h.call('GET', '/v1/drifts?priority=critical', { token: viewer });
    expect(onlyCritical.body.items.map((d: { id: number }) => d.id)).toEqual([d1.driftId]);
    expect((await h.call('GET', '/v1/drifts?priority=urgent', { token: viewer })).status).toBe(400);
    const search = await h.call('GET', '/v1/drifts?q=security_group', { token: viewer });
    expect(search.body.items.map((d: { id: number }) => d.id)).toEqual([d1.driftId]);
    const byValue = await h.call('GET', '/v1/drifts?q=0.0.0.0', { token: viewer });
    expect(byValue.body.items).toHaveLength(2);
    const otherEnv = await h.call('GET', '/v1/drifts?environment=staging', { token: viewer });
    expect(otherEnv.body.items).toHaveLength(0);
    expect((await h.call('GET', '/v1/drifts?cursor=garbage', { token: viewer })).status).toBe(400);
    expect((await h.call('GET', '/v1/drifts?minSeverity=0.9&maxSeverity=0.1', { token: viewer })).status).toBe(400);
  });

  it('shows one drift with its changes, cause, recommendations, notifications and audit timeline', async () => {
    await h.db
      .insertInto('notification_deliveries')
      .values({ notification_id: d1.notificationId, attempt: 1, status: 'sent', response_code: 200, latency_ms: 42 })
      .execute();
    const r = await h.call('GET', `/v1/drifts/${d1.driftId}`, { token: viewer });
    expect(r.status).toBe(200);
    expect(r.body.changes[0]).toMatchObject({ propertyPath: '/ingress/0/cidr_blocks', isSecurityCritical: true });
    expect(r.body.cause).toMatchObject({ category: 'emergency_fix' });
    expect(r.body.recommendations[0]).toMatchObject({
      id: d1.recommendationId,
      status: 'open',
      confidenceScore: 0.7,
      steps: [],
      expiresAt: null,
    });
    expect(r.body.notifications[0]).toMatchObject({ id: d1.notificationId });
    expect(r.body.deliveries).toEqual([
      expect.objectContaining({
        notificationId: d1.notificationId,
        attempt: 1,
        status: 'sent',
        responseCode: 200,
        latencyMs: 42,
      }),
    ]);
    expect((await h.call('GET', '/v1/drifts/999999', { token: viewer })).status).toBe(404);
  });

  it('answers 304 to a matching If-None-Match and echoes the request id', async () => {
    const first = await h.call('GET', `/v1/drifts/${d1.driftId}`, { token: viewer, headers: { 'x-request-id': 'req-123' } });
    expect(first.headers.get('x-request-id')).toBe('req-123');
    expect(first.headers.get('x-content-type-options')).toBe('nosniff');
    const tag = first.headers.get('etag');
    expect(tag).toBeTruthy();
    const again = await h.call('GET', `/v1/drifts/${d1.driftId}`, { token: viewer, headers: { 'if-none-match': tag ?? '' } });
    expect(again.status).toBe(304);
    const fresh = await h.call('GET', '/v1/organization', { token: viewer, headers: { 'x-request-id': 'bad id with spaces' } });
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('exports the filtered list as CSV', async () => {
    const r = await h.call('GET', '/v1/drifts/export.csv?driftType=modified', { token: viewer });
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/csv');
    const lines = r.text.trim().split('\n');
    expect(lines[0]).toBe(
      'id,environment_id,drift_type,address,physical_id,resource_type,detected_at,resolved_at,severity_score',
    );
    expect(lines.slice(1).map((l) => Number(l.split(',')[0]))).toEqual([d1.driftId]);
    const envs = await h.call('GET', '/v1/environments/export.csv', { token: viewer });
    expect(envs.text.split('\n')[0]).toContain('cloud_provider');
    const channels = await h.call('GET', '/v1/channels/export.csv', { token: viewer });
    expect(channels.text).toContain('refusing');
    expect(channels.text).not.toContain(receiverUrl.replace('/hook', ''));
    for (const list of ['integrations', 'routing-rules', 'silences', 'repositories', 'ignore-rules']) {
      const r = await h.call('GET', `/v1/${list}/export.csv`, { token: viewer });
      expect(r.status, list).toBe(200);
      expect(r.text.split('\n').length, list).toBeGreaterThan(2);
    }
  });
});

describe('actions', () => {
  it('resolves a drift as cmd.drift.resolve with the confirmed cause, with one audit row', async () => {
    const before = await auditCount();
    const r = await h.call('POST', `/v1/drifts/${d1.driftId}/resolve`, {
      token: engineer,
      body: { resolutionType: 'accepted', confirmedCause: 'emergency_fix', note: 'hotfix' },
    });
    expect(r.status).toBe(202);
    const [cmd] = await outbox('cmd.drift.resolve.v1');
    expect(cmd?.payload).toMatchObject({
      id: r.body.commandId,
      data: {
        driftEventId: d1.driftId,
        resolutionType: 'accepted',
        confirmedCause: 'emergency_fix',
        actor: `token:${h.a.tokens.engineer.id}`,
      },
    });
    const rows = (await h.auditRows(h.a.id)).slice(before);
    expect(rows.map((x) => [x.action, x.resource_id])).toEqual([['drift.resolve_requested', d1.driftId]]);
    const detail = await h.call('GET', `/v1/drifts/${d1.driftId}`, { token: viewer });
    expect(detail.body.audit.map((a: { action: string }) => a.action)).toContain('drift.resolve_requested');
    const invalid = await h.call('POST', `/v1/drifts/${d1.driftId}/resolve`, {
      token: engineer,
      body: { resolutionType: 'ignored' },
    });
    expect(invalid.status).toBe(400);
  });

  it('answers a resolved drift with 409', async () => {
    const resolved = await seedDrift(h.db, h.a.envId, { address: 'aws_iam_role.old', resolved: true });
    const r = await h.call('POST', `/v1/drifts/${resolved.driftId}/resolve`, {
      token: engineer,
      body: { resolutionType: 'escalated' },
    });
    expect(r.status).toBe(409);
  });

  it('accepts, rejects with a reason and marks implemented a recommendation', async () => {
    for (const body of [
      { action: 'accept' },
      { action: 'reject', reason: 'not now' },
      { action: 'implemented', result: { success: true, ref: 'PR-1' } },
    ]) {
      const r = await h.call('POST', `/v1/recommendations/${d2.recommendationId}/respond`, { token: engineer, body });
      expect(r.status).toBe(202);
    }
    const cmds = await outbox('cmd.recommendation.respond.v1');
    expect(cmds.map((c) => (c.payload as { data: { action: string } }).data.action)).toEqual(['accept', 'reject', 'implemented']);
    const noReason = await h.call('POST', `/v1/recommendations/${d2.recommendationId}/respond`, {
      token: engineer,
      body: { action: 'reject' },
    });
    expect(noReason.status).toBe(400);
  });

  it('acknowledges a notification as cmd.notification.acknowledge', async () => {
    const r = await h.call('POST', `/v1/notifications/${d2.notificationId}/acknowledge`, { token: engineer });
    expect(r.status).toBe(202);
    const [cmd] = await outbox('cmd.notification.acknowledge.v1');
    expect(cmd?.payload).toMatchObject({ data: { driftEventId: d2.driftId, notificationId: d2.notificationId, via: 'api' } });
  });
});

describe('analytics and the document', () => {
  it('answers the dashboard, daily metrics, coverage and model performance', async () => {
    const dash = await h.call('GET', '/v1/analytics/dashboard', { token: viewer });
    expect(dash.status).toBe(200);
    const prod = dash.body.items.find((e: { environmentId: number }) => e.environmentId === h.a.envId);
    expect(prod.open).toBeGreaterThanOrEqual(2);
    const daily = await h.call('GET', '/v1/analytics/drifts', { token: viewer });
    expect(daily.status).toBe(200);
    const cov = await h.call('GET', '/v1/analytics/coverage?environment=prod', { token: viewer });
    expect(cov.status).toBe(200);
    const today = cov.body.items[0].days.at(-1);
    // Of today's drifting resources, the `added` one is not declared in IaC.
    expect(today.coverage).toBeGreaterThan(0);
    expect(today.coverage).toBeLessThan(1);
    const tooLong = await h.call('GET', '/v1/analytics/drifts?from=2020-01-01&to=2024-01-01', { token: viewer });
    expect(tooLong.status).toBe(422);
    expect((await h.call('GET', '/v1/analytics/models', { token: viewer })).status).toBe(200);
  });

  it('documents every control-plane route at /openapi.json and renders it at /docs', async () => {
    const doc = await h.call('GET', '/openapi.json');
    for (const path of [
      '/v1/drifts',
      '/v1/drifts/{id}',
      '/v1/drifts/{id}/resolve',
      '/v1/environments',
      '/v1/silences',
      '/v1/analytics/drifts',
    ]) {
      expect(Object.keys(doc.body.paths)).toContain(path);
    }
    const page = await h.call('GET', '/docs/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('swagger');
    // The page runs only its own scripts; the JSON answers allow nothing at all.
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const json = await h.call('GET', '/v1/organization', { token: viewer });
    expect(json.headers.get('content-security-policy')).toContain("default-src 'none'");
  });

  it('refuses a body over the limit with 413 naming it', async () => {
    const r = await h.call('POST', '/v1/ignore-rules', {
      token: admin,
      body: { resourceType: 'x', reason: 'y'.repeat(300_000) },
    });
    expect(r.status).toBe(413);
    expect(r.body.limit).toBe('request_body_bytes');
  });
});

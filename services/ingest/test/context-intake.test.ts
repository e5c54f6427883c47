import { createHmac } from 'node:crypto';
import { subjectFor, type EventKey } from '@driftguard/contracts';
import { withOrgScope } from '@driftguard/db';
import { generateToken } from '@driftguard/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dg, startIngest, waitUntil, type IngestHarness } from './harness.js';
import {
  alertmanagerWebhook,
  cloudTrailRecord,
  deployment,
  githubPush,
  kubernetesAuditList,
  pagerDutyIncident,
} from './context.payloads.js';

let h: IngestHarness;
beforeAll(async () => {
  h = await startIngest('context_intake');
}, 60_000);
afterAll(() => h?.stop());

interface Published {
  subject: string;
  msgId: string | undefined;
  body: { id: string; type: string; occurredAt: string; orgId: number; envId: number; data: Record<string, any> };
}

/** Every event of the CONTEXT stream once the outbox has published all it holds. */
async function contextStream(): Promise<Published[]> {
  await waitUntil(
    async () =>
      Number(
        (
          await h.db
            .selectFrom('outbox')
            .select((eb) => eb.fn.countAll().as('n'))
            .where('published_at', 'is', null)
            .executeTakeFirstOrThrow()
        ).n,
      ) === 0,
    30_000,
  );
  const bus = await h.bus();
  const stream = `${h.streamPrefix}CONTEXT`;
  const { state } = await bus.jsm.streams.info(stream);
  const out: Published[] = [];
  for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
    const m = await bus.jsm.streams.getMessage(stream, { seq });
    if (!m) continue;
    out.push({ subject: m.subject, msgId: m.header?.get('Nats-Msg-Id'), body: m.json() });
  }
  return out;
}

async function eventsWithIds(ids: string[]): Promise<Published[]> {
  const all = await contextStream();
  return ids.map((id) => all.filter((e) => e.body.id === id)).flat();
}

const post = (path: string, body: unknown, headers: Record<string, string> = {}, token?: string) =>
  h.post(path, typeof body === 'string' ? body : JSON.stringify(body), { 'content-type': 'application/json', ...headers }, token);

const subject = (key: EventKey, envId = h.tenant.envId, orgId = h.tenant.orgId) => subjectFor(key, orgId, envId, h.subjectRoot);

async function addIntegration(source: 'github' | 'pagerduty', secret: string): Promise<string> {
  const res = await dg(['integration', 'add', `${h.tenant.orgSlug}/prod`, '--source', source, '--secret-env', 'HOOK_SECRET'], {
    DATABASE_URL: h.tdb.url,
    DG_MASTER_KEY: h.env['DG_MASTER_KEY'] ?? '',
    LOG_LEVEL: 'silent',
    HOOK_SECRET: secret,
  });
  expect(res.code, res.stderr).toBe(0);
  return res.stdout.trim();
}

const hmac = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest('hex');

describe('POST /v1/context/github', () => {
  const secret = 'gh-webhook-secret-0123456789';
  let integration = '';
  beforeAll(async () => {
    integration = await addIntegration('github', secret);
  }, 60_000);

  it('stores the webhook secret encrypted, never in clear', async () => {
    const row = await h.db.selectFrom('integrations').selectAll().where('id', '=', integration).executeTakeFirstOrThrow();
    expect(row.source).toBe('github');
    expect(row.environment_id).toBe(h.tenant.envId);
    expect(row.key_id).toBe('k1');
    expect(row.secret_encrypted.includes(Buffer.from(secret))).toBe(false);
    const audit = await h.db.selectFrom('audit_log').select('new_values').where('action', '=', 'integration.created').execute();
    expect(JSON.stringify(audit)).not.toContain(secret);
  });

  it('keeps the integration to its organization under row-level security', async () => {
    const other = await h.db
      .insertInto('organizations')
      .values({ name: 'other', slug: `other-${h.tenant.orgId}` })
      .returning('id')
      .executeTakeFirstOrThrow();
    const seen = (orgId: number) =>
      withOrgScope(h.db, orgId, (tx) => tx.selectFrom('integrations').select('id').where('id', '=', integration).execute());
    expect(await seen(h.tenant.orgId)).toEqual([{ id: integration }]);
    expect(await seen(other.id)).toEqual([]);
  });

  it('publishes one git_commit per commit of a push signed with X-Hub-Signature-256', async () => {
    const body = JSON.stringify(githubPush);
    const res = await post(
      `/v1/context/github?integration=${integration}`,
      body,
      { 'x-github-event': 'push', 'x-hub-signature-256': `sha256=${hmac(secret, body)}` },
      '',
    );
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body).toMatchObject({ status: 'accepted', source: 'github', published: 3, duplicates: 0 });
    const events = await eventsWithIds(res.body.eventIds);
    expect(events.map((e) => e.subject)).toEqual([1, 2, 3].map(() => subject('context.git_commit.v1')));
    expect(events.map((e) => e.msgId)).toEqual(res.body.eventIds);
    expect(events[0]!.body).toMatchObject({
      type: 'context.git_commit',
      orgId: h.tenant.orgId,
      envId: h.tenant.envId,
      occurredAt: '2026-11-30T19:02:11.000Z',
      data: {
        kind: 'git_commit',
        externalSystem: 'github',
        externalId: 'acme/infra@1b2c3d4e5f60718293a4b5c6d7e8f90123456789',
        actor: 'mona',
        resourceRefs: ['network/security_groups.tf'],
        summary: 'Open SSH to the bastion for the incident',
        data: { repository: 'acme/infra', branch: 'main', modified: ['network/security_groups.tf'] },
      },
    });
    expect(events[2]!.body.data.resourceRefs).toEqual(['queues/legacy.tf']);
  });

  it('refuses a wrong or missing signature with 401 and publishes nothing', async () => {
    const body = JSON.stringify(githubPush);
    const wrong = await post(
      `/v1/context/github?integration=${integration}`,
      body,
      { 'x-hub-signature-256': `sha256=${hmac('another-secret-0123456', body)}` },
      '',
    );
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('content-type')).toContain('application/problem+json');
    expect(wrong.body.code).toBe('invalid_signature');
    // Signed over other bytes (re-serialized JSON): the signature covers the raw body exactly.
    const tampered = await post(
      `/v1/context/github?integration=${integration}`,
      JSON.stringify(githubPush, null, 2),
      { 'x-hub-signature-256': `sha256=${hmac(secret, body)}` },
      '',
    );
    expect(tampered.status).toBe(401);
    const missing = await post(`/v1/context/github?integration=${integration}`, body, {}, '');
    expect(missing.status).toBe(401);
    expect(missing.body.code).toBe('missing_signature');
    const noToken = await post('/v1/context/github', body, {}, '');
    expect(noToken.status).toBe(401);
  });

  it('answers a ping 200 without publishing', async () => {
    const body = JSON.stringify({ zen: 'Keep it logically awesome.', hook_id: 1, hook: { type: 'Repository' } });
    const before = (await contextStream()).length;
    const res = await post(
      `/v1/context/github?integration=${integration}`,
      body,
      { 'x-github-event': 'ping', 'x-hub-signature-256': `sha256=${hmac(secret, body)}` },
      '',
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ published: 0, ignored: 'ping' });
    expect((await contextStream()).length).toBe(before);
  });

  it('names the JSON path of a malformed push', async () => {
    const bad = structuredClone(githubPush) as any;
    delete bad.commits[1].timestamp;
    const res = await post('/v1/context/github', bad, { 'x-github-event': 'push' });
    expect(res.status).toBe(422);
    expect(res.body.errors[0].path).toBe('/commits/1/timestamp');
    expect(res.body.detail).toContain('/commits/1/timestamp');
  });
});

describe('dg integration add', () => {
  it('refuses a missing secret variable, a short secret and an unknown environment, storing nothing', async () => {
    const run = (target: string, vars: Record<string, string>) =>
      dg(['integration', 'add', target, '--source', 'github', '--secret-env', 'HOOK_SECRET'], {
        DATABASE_URL: h.tdb.url,
        DG_MASTER_KEY: h.env['DG_MASTER_KEY'] ?? '',
        LOG_LEVEL: 'silent',
        ...vars,
      });
    const before = await h.db.selectFrom('integrations').select('id').execute();
    const unset = await run(`${h.tenant.orgSlug}/prod`, {});
    expect(unset.code).not.toBe(0);
    expect(unset.stderr).toContain('HOOK_SECRET');
    const short = await run(`${h.tenant.orgSlug}/prod`, { HOOK_SECRET: 'short' });
    expect(short.code).not.toBe(0);
    expect(short.stderr).toContain('at least 16 characters');
    expect(short.stderr).not.toContain('short"');
    const nowhere = await run(`${h.tenant.orgSlug}/nowhere`, { HOOK_SECRET: 'long-enough-secret-123' });
    expect(nowhere.code).not.toBe(0);
    expect(nowhere.stderr).toContain('not found');
    expect(await h.db.selectFrom('integrations').select('id').execute()).toEqual(before);
  }, 60_000);
});

describe('POST /v1/context/pagerduty', () => {
  const secret = 'pd-webhook-secret-abcdefghij';
  let integration = '';
  beforeAll(async () => {
    integration = await addIntegration('pagerduty', secret);
  }, 60_000);

  it('accepts any of several v1 signatures and publishes the incident once when delivered twice', async () => {
    const body = JSON.stringify(pagerDutyIncident('01DEN4HPBQUHVF4SJE9ZQJ2YGP'));
    const header = `v1=${hmac('rotated-out-secret-0000', body)},v1=${hmac(secret, body)}`;
    const first = await post(`/v1/context/pagerduty?integration=${integration}`, body, { 'x-pagerduty-signature': header }, '');
    expect(first.status, JSON.stringify(first.body)).toBe(202);
    expect(first.body).toMatchObject({ published: 1, duplicates: 0 });
    const again = await post(`/v1/context/pagerduty?integration=${integration}`, body, { 'x-pagerduty-signature': header }, '');
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ published: 0, duplicates: 1, eventIds: first.body.eventIds });
    const events = await eventsWithIds(first.body.eventIds);
    expect(events).toHaveLength(1);
    expect(events[0]!.subject).toBe(subject('context.incident.v1'));
    expect(events[0]!.body).toMatchObject({
      occurredAt: '2026-11-30T19:45:22.169Z',
      data: {
        kind: 'incident',
        externalSystem: 'pagerduty',
        externalId: 'PGR0VU2',
        actor: 'Tenex Engineer',
        resourceRefs: ['checkout-api'],
        data: { eventType: 'incident.triggered', status: 'triggered', priority: 'P1', title: 'Checkout API 5xx above 5%' },
      },
    });
  });

  it('drops a redelivery through JetStream once the outbox row is gone', async () => {
    const body = JSON.stringify(pagerDutyIncident('01DEN4HPBQUHVF4SJE9ZQJ2YXX', 'incident.resolved'));
    const headers = { 'x-pagerduty-signature': `v1=${hmac(secret, body)}` };
    const first = await post(`/v1/context/pagerduty?integration=${integration}`, body, headers, '');
    await contextStream();
    await h.db.deleteFrom('outbox').where('id', '=', first.body.eventIds[0]).execute();
    const again = await post(`/v1/context/pagerduty?integration=${integration}`, body, headers, '');
    expect(again.body).toMatchObject({ published: 1, eventIds: first.body.eventIds });
    expect(await eventsWithIds(first.body.eventIds)).toHaveLength(1);
  });

  it('refuses a wrong signature with 401 and names the path of a malformed incident', async () => {
    const body = JSON.stringify(pagerDutyIncident('01DEN4HPBQUHVF4SJE9ZQJ2ZZZ'));
    const wrong = await post(
      `/v1/context/pagerduty?integration=${integration}`,
      body,
      { 'x-pagerduty-signature': `v1=${'0'.repeat(64)}` },
      '',
    );
    expect(wrong.status).toBe(401);
    const missing = await post(`/v1/context/pagerduty?integration=${integration}`, body, {}, '');
    expect(missing.status).toBe(401);
    const bad = pagerDutyIncident('01DEN4HPBQUHVF4SJE9ZQJ2ZZZ') as any;
    delete bad.event.data.status;
    const badBody = JSON.stringify(bad);
    const res = await post(
      `/v1/context/pagerduty?integration=${integration}`,
      badBody,
      { 'x-pagerduty-signature': `v1=${hmac(secret, badBody)}` },
      '',
    );
    expect(res.status).toBe(422);
    expect(res.body.errors[0].path).toBe('/event/data/status');
  });
});

describe('POST /v1/context/alertmanager, kubernetes-audit, deployment', () => {
  it('publishes an alert per Alertmanager alert with its labels, and refuses a bad startsAt by path', async () => {
    const res = await post('/v1/context/alertmanager', alertmanagerWebhook);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const [event] = await eventsWithIds(res.body.eventIds);
    expect(event!.subject).toBe(subject('context.alert.v1'));
    expect(event!.body).toMatchObject({
      occurredAt: '2026-11-30T19:40:00.000Z',
      data: {
        externalId: 'c2a2f5b8c7e0e1f3',
        resourceRefs: ['i-0abc123def4567890', 'checkout-api'],
        summary: 'Checkout error rate above 5%',
        data: { status: 'firing', endsAt: null, severity: 'critical' },
      },
    });
    const bad = structuredClone(alertmanagerWebhook);
    bad.alerts[0]!.startsAt = 'yesterday';
    const refused = await post('/v1/context/alertmanager', bad);
    expect(refused.status).toBe(422);
    expect(refused.body.errors[0].path).toBe('/alerts/0/startsAt');
  });

  it('publishes Kubernetes audit events with user, verb and object, and refuses one without a user', async () => {
    const res = await post('/v1/context/kubernetes-audit', kubernetesAuditList);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const [event] = await eventsWithIds(res.body.eventIds);
    expect(event!.subject).toBe(subject('context.audit_event.v1'));
    expect(event!.body).toMatchObject({
      occurredAt: '2026-11-30T18:20:01.123Z',
      data: {
        externalSystem: 'kubernetes',
        actor: 'jane@acme.example',
        resourceRefs: ['apps/deployments/shop/checkout'],
        data: { verb: 'patch', userAgent: 'kubectl/v1.29.1 (linux/amd64) kubernetes/bc401b9' },
      },
    });
    const bad = structuredClone(kubernetesAuditList) as any;
    delete bad.items[0].user;
    const refused = await post('/v1/context/kubernetes-audit', bad);
    expect(refused.status).toBe(422);
    expect(refused.body.errors[0].path).toBe('/items/0/user');
  });

  it('publishes a deployment in the generic shape, and names a missing start', async () => {
    const res = await post('/v1/context/deployment', deployment);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const [event] = await eventsWithIds(res.body.eventIds);
    expect(event!.subject).toBe(subject('context.deployment.v1'));
    expect(event!.body).toMatchObject({
      occurredAt: '2026-11-30T18:00:00.000Z',
      data: { externalSystem: 'argocd', externalId: deployment.id, actor: 'argocd', resourceRefs: deployment.resources },
    });
    const { start: _start, ...noStart } = deployment;
    const refused = await post('/v1/context/maintenance', noStart);
    expect(refused.status).toBe(422);
    expect(refused.body.errors[0].path).toBe('/start');
  });

  it('answers malformed JSON with a 400 naming where, an unknown source 400, an oversized body 413 naming the limit', async () => {
    const broken = await post('/v1/context/deployment', '{"id": "x", "title": ');
    expect(broken.status).toBe(400);
    expect(broken.body.code).toBe('malformed_json');
    expect(broken.body.detail).toContain('line 1');
    const unknown = await post('/v1/context/jenkins', deployment);
    expect(unknown.status).toBe(400);
    const huge = await post('/v1/context/deployment', `{"id":"x","title":"${'a'.repeat(11 * 1024 * 1024)}"}`);
    expect(huge.status).toBe(413);
    expect(huge.body.limit).toBe('maxContextBytes');
  });

  it('refuses a viewer token with 403', async () => {
    const t = generateToken();
    await h.db
      .insertInto('api_tokens')
      .values({
        organization_id: h.tenant.orgId,
        environment_id: h.tenant.envId,
        name: 'viewer',
        token_prefix: t.prefix,
        token_hash: t.hash,
        role: 'viewer',
      })
      .execute();
    const res = await post('/v1/context/deployment', deployment, {}, t.token);
    expect(res.status).toBe(403);
  });
});

describe('POST /v1/context/cloudtrail', () => {
  const account = '123456789012';
  let orgToken = '';
  let euEnv = 0;
  let usEnv = 0;
  beforeAll(async () => {
    const env = (slug: string, region: string) =>
      h.db
        .insertInto('environments')
        .values({ organization_id: h.tenant.orgId, name: slug, slug, cloud_provider: 'aws', account_id: account, region })
        .returning('id')
        .executeTakeFirstOrThrow();
    euEnv = (await env('aws-eu', 'eu-west-1')).id;
    usEnv = (await env('aws-us', 'us-east-1')).id;
    const t = generateToken();
    await h.db
      .insertInto('api_tokens')
      .values({
        organization_id: h.tenant.orgId,
        environment_id: null,
        name: 'org-wide',
        token_prefix: t.prefix,
        token_hash: t.hash,
        role: 'admin',
      })
      .execute();
    orgToken = t.token;
  });

  it('routes each record of a log file to the environment of its account and region, secrets masked', async () => {
    const file = {
      Records: [
        cloudTrailRecord('e1f2a3b4-0001-4c5d-8e9f-0a1b2c3d4e5f', account, 'eu-west-1'),
        cloudTrailRecord('e1f2a3b4-0002-4c5d-8e9f-0a1b2c3d4e5f', account, 'us-east-1'),
      ],
    };
    const res = await post('/v1/context/cloudtrail', file, {}, orgToken);
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const events = await eventsWithIds(res.body.eventIds);
    expect(events.map((e) => e.subject)).toEqual([
      subject('context.audit_event.v1', euEnv),
      subject('context.audit_event.v1', usEnv),
    ]);
    expect(events[0]!.body).toMatchObject({
      occurredAt: '2026-11-30T18:12:05.000Z',
      envId: euEnv,
      data: {
        externalSystem: 'cloudtrail',
        externalId: 'e1f2a3b4-0001-4c5d-8e9f-0a1b2c3d4e5f',
        actor: `arn:aws:sts::${account}:assumed-role/Admin/mona`,
        resourceRefs: [`arn:aws:rds:eu-west-1:${account}:db:orders-db`],
        summary: 'rds.amazonaws.com ModifyDBInstance',
        data: {
          eventName: 'ModifyDBInstance',
          requestParameters: { dBInstanceIdentifier: 'orders-db', masterUserPassword: '(sensitive)' },
        },
      },
    });
    expect(JSON.stringify(events)).not.toContain('hunter2');
  });

  it('reads an EventBridge event and lookup-events output, parsing CloudTrailEvent text', async () => {
    const bridged = await post('/v1/context/cloudtrail', {
      version: '0',
      id: 'abc',
      'detail-type': 'AWS API Call via CloudTrail',
      source: 'aws.rds',
      account,
      region: 'eu-west-1',
      time: '2026-11-30T18:12:05Z',
      detail: cloudTrailRecord('e1f2a3b4-0003-4c5d-8e9f-0a1b2c3d4e5f', account, 'eu-west-1'),
    });
    expect(bridged.status, JSON.stringify(bridged.body)).toBe(202);
    const record = cloudTrailRecord('e1f2a3b4-0004-4c5d-8e9f-0a1b2c3d4e5f', account, 'eu-west-1');
    const lookup = {
      Events: [
        {
          EventId: record.eventID,
          EventName: record.eventName,
          ReadOnly: 'false',
          EventTime: '2026-11-30T18:12:05+00:00',
          EventSource: record.eventSource,
          Username: 'mona',
          Resources: [],
          CloudTrailEvent: JSON.stringify(record),
        },
      ],
    };
    const looked = await post('/v1/context/cloudtrail', lookup);
    expect(looked.status, JSON.stringify(looked.body)).toBe(202);
    const events = await eventsWithIds([...bridged.body.eventIds, ...looked.body.eventIds]);
    // An environment-bound token publishes to its own environment.
    expect(events.map((e) => [e.body.envId, e.body.data.externalId])).toEqual([
      [h.tenant.envId, 'e1f2a3b4-0003-4c5d-8e9f-0a1b2c3d4e5f'],
      [h.tenant.envId, 'e1f2a3b4-0004-4c5d-8e9f-0a1b2c3d4e5f'],
    ]);
    const notJson = await post('/v1/context/cloudtrail', { Events: [{ EventId: 'x', CloudTrailEvent: '{"eventID": ' }] });
    expect(notJson.status).toBe(400);
    expect(notJson.body.errors[0].path).toMatch(/^\/Events\/0\/CloudTrailEvent/);
    const wrongShape = await post('/v1/context/cloudtrail', {
      Events: [{ EventId: 'x', CloudTrailEvent: JSON.stringify({ eventID: 'x' }) }],
    });
    expect(wrongShape.status).toBe(422);
    expect(wrongShape.body.errors.map((e: { path: string }) => e.path)).toContain('/Events/0/CloudTrailEvent/eventTime');
  });

  it('names the record whose account no environment watches, and publishes none of the file', async () => {
    const file = {
      Records: [
        cloudTrailRecord('e1f2a3b4-0005-4c5d-8e9f-0a1b2c3d4e5f', account, 'eu-west-1'),
        cloudTrailRecord('e1f2a3b4-0006-4c5d-8e9f-0a1b2c3d4e5f', '999999999999', 'eu-west-1'),
      ],
    };
    const res = await post('/v1/context/cloudtrail', file, {}, orgToken);
    expect(res.status).toBe(422);
    expect(res.body.errors[0].path).toBe('/Records/1/recipientAccountId');
    const all = await contextStream();
    expect(all.some((e) => e.body.data.externalId === 'e1f2a3b4-0005-4c5d-8e9f-0a1b2c3d4e5f')).toBe(false);
    const badRecord = {
      Records: [{ ...cloudTrailRecord('e1f2a3b4-0007-4c5d-8e9f-0a1b2c3d4e5f', account, 'eu-west-1'), eventTime: undefined }],
    };
    const refused = await post('/v1/context/cloudtrail', badRecord, {}, orgToken);
    expect(refused.status).toBe(422);
    expect(refused.body.errors[0].path).toBe('/Records/0/eventTime');
  });
});

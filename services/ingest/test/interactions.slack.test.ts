import { createHmac, randomUUID } from 'node:crypto';
import { subjectFor, type EventKey } from '@driftguard/contracts';
import { encryptSecret, parseKeyring } from '@driftguard/db';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngest, waitUntil, type IngestHarness } from './harness.js';

let h: IngestHarness;
let integration = '';
const signingSecret = 'slack-signing-secret-0123456789abcdef';

beforeAll(async () => {
  h = await startIngest('slack_interactions');
  integration = randomUUID();
  const keyring = parseKeyring(h.env['DG_MASTER_KEY'] ?? '');
  await sql`INSERT INTO integrations (id, organization_id, environment_id, source, secret_encrypted, key_id)
    VALUES (${integration}::uuid, ${h.tenant.orgId}, ${h.tenant.envId}, 'slack',
      ${encryptSecret(signingSecret, keyring, `integrations.secret_encrypted:${integration}`)}, ${keyring.currentKeyId})`.execute(
    h.db,
  );
}, 60_000);
afterAll(() => h?.stop());

interface Published {
  subject: string;
  msgId: string | undefined;
  body: { id: string; type: string; orgId: number; envId: number; data: Record<string, any> };
}

/** Every event of the CMD stream once the outbox has published all it holds. */
async function commandStream(): Promise<Published[]> {
  await waitUntil(async () => {
    const row = await h.db
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('published_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.n) === 0;
  }, 30_000);
  const bus = await h.bus();
  const stream = `${h.streamPrefix}CMD`;
  const { state } = await bus.jsm.streams.info(stream);
  const out: Published[] = [];
  for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
    const m = await bus.jsm.streams.getMessage(stream, { seq });
    if (m) out.push({ subject: m.subject, msgId: m.header?.get('Nats-Msg-Id'), body: m.json() });
  }
  return out;
}

const subject = (key: EventKey) => subjectFor(key, h.tenant.orgId, h.tenant.envId, h.subjectRoot);

/** A block_actions payload as Slack sends it when a button of a DriftGuard message is pressed. */
function pressed(actionId: string, value: object, actionTs = `${Date.now() / 1000}`) {
  return {
    type: 'block_actions',
    team: { id: 'T0ACME', domain: 'acme' },
    user: { id: 'U0ALICE', username: 'alice', name: 'alice', team_id: 'T0ACME' },
    api_app_id: 'A0DRIFT',
    container: { type: 'message', message_ts: '1700000000.000100', channel_id: 'C0DRIFTS01' },
    trigger_id: '123.456.abc',
    channel: { id: 'C0DRIFTS01', name: 'drifts' },
    response_url: 'https://hooks.slack.example/actions/T0ACME/1/xyz',
    actions: [
      {
        type: 'button',
        action_id: actionId,
        block_id: 'drift:1000',
        text: { type: 'plain_text', text: 'button' },
        value: JSON.stringify(value),
        action_ts: actionTs,
      },
    ],
  };
}

function signed(payload: object, opts: { secret?: string; timestamp?: number } = {}) {
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  const ts = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
  const signature = `v0=${createHmac('sha256', opts.secret ?? signingSecret)
    .update(`v0:${ts}:${body}`)
    .digest('hex')}`;
  return {
    body,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': ts,
      'x-slack-signature': signature,
    },
  };
}

const post = (req: { body: string; headers: Record<string, string> }, id = integration) =>
  h.post(`/v1/interactions/slack?integration=${id}`, req.body, req.headers, '');

describe('POST /v1/interactions/slack', () => {
  it('turns Acknowledge into cmd.notification.acknowledge.v1 published through the outbox', async () => {
    const res = await post(signed(pressed('dg.acknowledge', { driftEventId: 1000, notificationId: 77 }, '1700000001.000001')));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ status: 'accepted', published: 1, duplicates: 0, skipped: 0 });
    const events = (await commandStream()).filter((e) => e.body.type === 'cmd.notification.acknowledge');
    expect(events).toHaveLength(1);
    expect(events[0]!.subject).toBe(subject('cmd.notification.acknowledge.v1'));
    expect(events[0]!.msgId).toBe(events[0]!.body.id);
    expect(events[0]!.body).toMatchObject({
      orgId: h.tenant.orgId,
      envId: h.tenant.envId,
      data: { driftEventId: 1000, notificationId: 77, actor: 'slack:T0ACME/U0ALICE (alice)', via: 'slack' },
    });
  });

  it('turns Accept into cmd.recommendation.respond.v1 with action accept', async () => {
    const res = await post(
      signed(pressed('dg.accept_recommendation', { recommendationId: 500, driftEventId: 1000 }, '1700000002.000001')),
    );
    expect(res.status).toBe(200);
    const events = (await commandStream()).filter((e) => e.body.type === 'cmd.recommendation.respond');
    expect(events.map((e) => e.subject)).toEqual([subject('cmd.recommendation.respond.v1')]);
    expect(events[0]!.body.data).toMatchObject({
      action: 'accept',
      recommendationId: 500,
      actor: 'slack:T0ACME/U0ALICE (alice)',
    });
  });

  it('turns Silence 24 h into cmd.silence.create.v1 matching the drift for 24 hours', async () => {
    const before = Date.now();
    const res = await post(signed(pressed('dg.silence_24h', { driftEventId: 1000, notificationId: 77 }, '1700000003.000001')));
    expect(res.status).toBe(200);
    const events = (await commandStream()).filter((e) => e.body.type === 'cmd.silence.create');
    expect(events.map((e) => e.subject)).toEqual([subject('cmd.silence.create.v1')]);
    const data = events[0]!.body.data;
    expect(data['matchers']).toEqual([{ name: 'driftEventId', value: '1000', isRegex: false, isEqual: true }]);
    const starts = Date.parse(data['startsAt']);
    expect(starts).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(data['endsAt']) - starts).toBe(24 * 3600_000);
    expect(data['createdBy']).toBe('slack:T0ACME/U0ALICE (alice)');
  });

  it('publishes a press Slack delivers twice once', async () => {
    const press = pressed('dg.acknowledge', { driftEventId: 2000 }, '1700000004.000001');
    expect((await post(signed(press))).body).toMatchObject({ published: 1, duplicates: 0 });
    expect((await post(signed(press))).body).toMatchObject({ published: 0, duplicates: 1 });
    const events = (await commandStream()).filter((e) => e.body.data['driftEventId'] === 2000);
    expect(events).toHaveLength(1);
  });

  it('refuses a bad signature with 401 problem+json and publishes nothing', async () => {
    const before = (await commandStream()).length;
    const res = await post(signed(pressed('dg.acknowledge', { driftEventId: 3000 }), { secret: 'not-the-signing-secret' }));
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ status: 401, code: 'invalid_signature' });
    // A body changed after signing fails too.
    const good = signed(pressed('dg.acknowledge', { driftEventId: 3000 }));
    const tampered = await post({ ...good, body: good.body.replace('3000', '3001') });
    expect(tampered.status).toBe(401);
    expect((await commandStream()).length).toBe(before);
  });

  it('refuses a timestamp older than five minutes, even correctly signed', async () => {
    const res = await post(
      signed(pressed('dg.acknowledge', { driftEventId: 3000 }), { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 }),
    );
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ code: 'stale_timestamp' });
  });

  it('refuses missing headers and an unknown integration alike', async () => {
    const req = signed(pressed('dg.acknowledge', { driftEventId: 3000 }));
    const missing = await post({ body: req.body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({ code: 'missing_signature' });
    const unknown = await post(req, randomUUID());
    expect(unknown.status).toBe(401);
    expect(unknown.body).toMatchObject({ code: 'invalid_signature' });
  });

  it('answers 200 and publishes nothing for buttons that are not DriftGuard’s or values that do not read', async () => {
    const res = await post(signed(pressed('someone.else', { x: 1 })));
    expect(res.body).toEqual({ status: 'ignored', published: 0, duplicates: 0, skipped: 1 });
    const bad = await post(signed(pressed('dg.acknowledge', { driftEventId: 'x' })));
    expect(bad.body).toEqual({ status: 'ignored', published: 0, duplicates: 0, skipped: 1 });
  });

  it('refuses a signed payload no table can keep with 400 naming it, and publishes nothing', async () => {
    const form = (payload: string) => {
      const body = `payload=${payload}`;
      const ts = String(Math.floor(Date.now() / 1000));
      const sig = `v0=${createHmac('sha256', signingSecret).update(`v0:${ts}:${body}`).digest('hex')}`;
      return {
        body,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-slack-request-timestamp': ts,
          'x-slack-signature': sig,
        },
      };
    };
    const press = JSON.stringify(pressed('dg.acknowledge', { driftEventId: 4000, notificationId: 78 }));
    const cases: [string, string, RegExp][] = [
      [encodeURIComponent(press.replace('"alice"', '"ali\\u0000ce"')), 'unrepresentable_value', /NUL/],
      [encodeURIComponent(press.replace('"alice"', '"ali\\ud800ce"')), 'unrepresentable_value', /surrogate/],
      [encodeURIComponent(press).replace('alice', 'ali%FF%FEce'), 'invalid_encoding', /UTF-8/],
      [encodeURIComponent(press.replace('{', '{"__proto__":{"polluted":true},')), 'forbidden_key', /__proto__/],
      [encodeURIComponent(press.replace('{', `{"deep":${'['.repeat(5000)}${']'.repeat(5000)},`)), 'too_deep', /deeper/],
    ];
    const before = await h.db.selectFrom('outbox').select('id').execute();
    for (const [payload, code, detail] of cases) {
      const res = await post(form(payload));
      expect(res.status, code).toBe(400);
      expect(res.body).toMatchObject({ code, detail: expect.stringMatching(detail) });
    }
    expect(await h.db.selectFrom('outbox').select('id').execute()).toEqual(before);
  });

  it('answers a signed form without a payload with 400', async () => {
    const body = 'nothing=here';
    const ts = String(Math.floor(Date.now() / 1000));
    const sig = `v0=${createHmac('sha256', signingSecret).update(`v0:${ts}:${body}`).digest('hex')}`;
    const res = await post({
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': ts, 'x-slack-signature': sig },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'invalid_input' });
  });
});

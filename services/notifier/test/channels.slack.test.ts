import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SLACK_ACTION, SLACK_LIMITS, slackChannel, type SendResult } from '../src/channels/index.js';
import { blockKitProblem, buildAlert, loopbackNetwork, sendContext, startSlackPeer, type SlackPeer } from './peers/index.js';

let slack: SlackPeer;
const network = loopbackNetwork();
beforeAll(async () => {
  slack = await startSlackPeer();
});
afterAll(async () => {
  await slack?.close();
  await network.close();
});
beforeEach(() => {
  slack.received.length = 0;
});

const webhook = () => slackChannel.config.parse({ webhookUrl: slack.webhookUrl });
const bot = () => slackChannel.config.parse({ botToken: slack.botToken, channel: slack.channel, apiBaseUrl: slack.apiBaseUrl });
const lastBody = () => JSON.parse(slack.received.at(-1)?.body ?? '{}') as { text: string; blocks: Record<string, any>[] };
const failure = (r: SendResult) => {
  if (r.ok) throw new Error(`expected a failure, got ${JSON.stringify(r)}`);
  return r;
};

describe('Slack incoming webhook', () => {
  it('posts a Block Kit message Slack accepts: header, changes declared → actual, cause with evidence, recommendation, buttons, console link', async () => {
    const result = await slackChannel.send(webhook(), buildAlert(), sendContext(network));
    expect(result).toEqual({ ok: true, status: 200 });
    expect(slack.received).toHaveLength(1);
    expect(slack.received[0]!.accepted).toBe(true);
    const { text, blocks } = lastBody();
    expect(text).toContain('CRITICAL drift in prod: aws_security_group.web_0');
    expect(blocks[0]).toMatchObject({
      type: 'header',
      text: { type: 'plain_text', text: 'CRITICAL drift in prod: aws_security_group.web_0' },
    });
    const all = JSON.stringify(blocks);
    // The security-critical change comes first and is marked.
    expect(all).toContain(':lock: `/ingress/0/cidr_blocks/0`: declared `10.0.0.0/8` → actual `0.0.0.0/0`');
    expect(all).toContain('manual change (confidence 82%)');
    expect(all).toContain('<https://acme.pagerduty.example/incidents/PD-42|incident PD-42, open: checkout latency>');
    expect(all).toContain('<https://git.example/acme/infra/commit/4f2c1e9|git commit acme/infra@4f2c1e9: tighten web ingress>');
    expect(all).toContain('changed by arn:aws:sts::123456789012:assumed-role/Admin/alice via console');
    expect(all).toContain('terraform apply -target=aws_security_group.web_0');
    const actions = blocks.find((b) => b['type'] === 'actions')!;
    expect(actions['elements'].map((e: Record<string, string>) => [e['action_id'], JSON.parse(e['value']!)])).toEqual([
      [SLACK_ACTION.acknowledge, { driftEventId: 1000, notificationId: 77 }],
      [SLACK_ACTION.accept, { recommendationId: 500, driftEventId: 1000 }],
      [SLACK_ACTION.silence, { driftEventId: 1000, notificationId: 77 }],
    ]);
    expect(all).toContain('https://driftguard.example/r/n1/g/prod');
  });

  it('names its buttons as ingest’s Slack interactions endpoint reads them', () => {
    // services/ingest/src/interactions/slack-actions.ts turns these ids into commands.
    expect(SLACK_ACTION).toEqual({
      acknowledge: 'dg.acknowledge',
      accept: 'dg.accept_recommendation',
      silence: 'dg.silence_24h',
    });
  });

  it('cuts a 500-drift alert to fit every Block Kit limit and says how many drifts were left out', async () => {
    const alert = buildAlert({ count: 500 });
    const result = await slackChannel.send(webhook(), alert, sendContext(network));
    expect(result.ok, JSON.stringify(result)).toBe(true);
    const { text, blocks } = lastBody();
    expect(blockKitProblem(blocks)).toBeUndefined();
    expect(blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
    expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.messageText);
    for (const b of blocks) {
      if (b['type'] === 'section') expect(b['text'].text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
      if (b['type'] === 'header') expect(b['text'].text.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
    }
    const shown = blocks.filter((b) => b['type'] === 'actions').length;
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThan(500);
    expect(JSON.stringify(blocks.at(-1))).toContain(`${500 - shown} more drifts not shown here`);
    expect(text).toContain('more drifts not shown');
  });

  it('cuts an over-long section and says how many characters were left out', async () => {
    const alert = buildAlert();
    alert.items[0]!.recommendation!.rationale = 'x'.repeat(5000);
    expect((await slackChannel.send(webhook(), alert, sendContext(network))).ok).toBe(true);
    const rec = lastBody().blocks.find((b) => JSON.stringify(b).includes('Recommendation'))!;
    expect(rec['text'].text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    expect(rec['text'].text).toMatch(/… \(\d+ characters left out\)$/);
  });

  it('gives a 429 back as retryable with Retry-After in milliseconds', async () => {
    slack.script(slack.answers.rateLimited(7));
    const r = failure(await slackChannel.send(webhook(), buildAlert(), sendContext(network)));
    expect(r).toMatchObject({ retryable: true, status: 429, retryAfterMs: 7000 });
  });

  it('retries a 500 and not a 400 invalid_payload, whose error it keeps', async () => {
    slack.script(slack.answers.serverError(), slack.answers.invalidPayload());
    expect(failure(await slackChannel.send(webhook(), buildAlert(), sendContext(network)))).toMatchObject({
      retryable: true,
      status: 500,
    });
    expect(failure(await slackChannel.send(webhook(), buildAlert(), sendContext(network)))).toEqual({
      ok: false,
      retryable: false,
      status: 400,
      error: 'invalid_payload',
    });
  });

  it('reports a webhook Slack does not know as a non-retryable configuration error', async () => {
    const r = failure(
      await slackChannel.send({ webhookUrl: `${slack.url}/services/T0/B0/wrong` }, buildAlert(), sendContext(network)),
    );
    expect(r).toMatchObject({ retryable: false, status: 404, error: 'no_service' });
  });

  it('sends a short test message', async () => {
    expect((await slackChannel.send(webhook(), buildAlert({ action: 'test' }), sendContext(network))).ok).toBe(true);
    const { text, blocks } = lastBody();
    expect(text).toContain('DriftGuard test message');
    expect(blocks[0]).toMatchObject({ type: 'header', text: { text: 'DriftGuard test message' } });
  });
});

describe('Slack bot token (chat.postMessage, chat.update)', () => {
  it('posts with chat.postMessage, then edits that message on update and on resolve', async () => {
    const first = await slackChannel.send(bot(), buildAlert(), sendContext(network));
    if (!first.ok) throw new Error(first.error);
    expect(first.providerRef).toEqual({ channel: slack.channel, ts: expect.stringMatching(/^\d+\.\d+$/) });
    expect(slack.received.at(-1)!.path).toBe('/api/chat.postMessage');

    const updated = await slackChannel.send(
      bot(),
      buildAlert({ action: 'update', notificationId: 78 }),
      sendContext(network, first.providerRef),
    );
    expect(updated).toEqual({ ok: true, status: 200, providerRef: first.providerRef });
    expect(slack.received.at(-1)!.path).toBe('/api/chat.update');

    const resolved = await slackChannel.send(
      bot(),
      buildAlert({ action: 'resolve', notificationId: 79 }),
      sendContext(network, first.providerRef),
    );
    expect(resolved.ok).toBe(true);
    const message = slack.messages.get(first.providerRef!['ts']!)!;
    expect(message.edits).toBe(2);
    expect(message.text).toMatch(/^Resolved: /);
    // A resolved message offers no buttons any more.
    expect(message.blocks.some((b) => (b as { type: string }).type === 'actions')).toBe(false);
    expect(slack.messages.size).toBe(1);
  });

  it('posts a new message when the one to edit is gone', async () => {
    const r = await slackChannel.send(
      bot(),
      buildAlert({ action: 'update' }),
      sendContext(network, { channel: slack.channel, ts: '1.000001' }),
    );
    expect(r.ok).toBe(true);
    expect(slack.received.map((q) => q.path)).toEqual(['/api/chat.update', '/api/chat.postMessage']);
  });

  it('retries ok:false ratelimited with its Retry-After, not channel_not_found or a bad token', async () => {
    slack.script(slack.answers.apiRateLimited(3));
    expect(failure(await slackChannel.send(bot(), buildAlert(), sendContext(network)))).toMatchObject({
      retryable: true,
      status: 200,
      retryAfterMs: 3000,
      error: 'chat.postMessage: ratelimited',
    });
    const elsewhere = { ...bot(), channel: 'C0NOWHERE' };
    expect(failure(await slackChannel.send(elsewhere, buildAlert(), sendContext(network)))).toMatchObject({
      retryable: false,
      error: 'chat.postMessage: channel_not_found',
    });
    const wrongToken = { ...bot(), botToken: 'xoxb-0-0-wrong' };
    expect(failure(await slackChannel.send(wrongToken, buildAlert(), sendContext(network)))).toMatchObject({
      retryable: false,
      error: 'chat.postMessage: invalid_auth',
    });
  });

  it('keeps a 500-drift message within the limits chat.postMessage enforces', async () => {
    const r = await slackChannel.send(bot(), buildAlert({ count: 500 }), sendContext(network));
    expect(r.ok, JSON.stringify(r)).toBe(true);
  });
});

describe('Slack peer', () => {
  const raw = async (body: unknown) => {
    const res = await fetch(slack.webhookUrl, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });
    return { status: res.status, body: await res.text() };
  };
  const sectionOf = (n: number) => ({ type: 'section', text: { type: 'mrkdwn', text: 'x'.repeat(n) } });

  it('refuses messages over Block Kit limits as Slack does', async () => {
    expect(await raw({ text: 'ok', blocks: [sectionOf(3000)] })).toEqual({ status: 200, body: 'ok' });
    expect(await raw({ text: 'x', blocks: Array.from({ length: 51 }, () => ({ type: 'divider' })) })).toEqual({
      status: 400,
      body: 'invalid_blocks',
    });
    expect(await raw({ text: 'x', blocks: [sectionOf(3001)] })).toEqual({ status: 400, body: 'invalid_blocks' });
    expect(await raw({ text: 'x', blocks: [{ type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } }] })).toEqual({
      status: 400,
      body: 'invalid_blocks',
    });
    expect(await raw({ blocks: undefined })).toEqual({ status: 400, body: 'no_text' });
    expect(await raw({ text: 'x', channel: '#elsewhere' })).toEqual({ status: 400, body: 'invalid_payload' });
  });
});

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  dedupKeyOf,
  pagerDutyChannel,
  sendThroughChannel,
  type PagerDutyConfig,
  type SendResult,
} from '../src/channels/index.js';
import { buildAlert, loopbackNetwork, sendContext, startPagerDutyPeer, type PagerDutyPeer } from './peers/index.js';

let pd: PagerDutyPeer;
const network = loopbackNetwork();
beforeAll(async () => {
  pd = await startPagerDutyPeer();
});
afterAll(async () => {
  await pd?.close();
  await network.close();
});
beforeEach(() => {
  pd.received.length = 0;
  pd.alerts.clear();
});

const config = (): PagerDutyConfig => pagerDutyChannel.config.parse({ routingKey: pd.routingKey, baseUrl: pd.baseUrl });
const failure = (r: SendResult) => {
  if (r.ok) throw new Error(`expected a failure, got ${JSON.stringify(r)}`);
  return r;
};
const lastEvent = () => JSON.parse(pd.received.at(-1)?.body ?? '{}') as Record<string, any>;

describe('PagerDuty Events API v2', () => {
  it('triggers an event PagerDuty accepts (202), severity mapped from the priority, details and links attached', async () => {
    const r = await pagerDutyChannel.send(config(), buildAlert(), sendContext(network));
    expect(r).toEqual({ ok: true, status: 202, providerRef: { dedup_key: dedupKeyOf('drift:1000') } });
    const e = lastEvent();
    expect(e).toMatchObject({
      routing_key: pd.routingKey,
      event_action: 'trigger',
      dedup_key: 'driftguard:drift:1000',
      payload: {
        summary: 'CRITICAL drift in prod: aws_security_group.web_0',
        source: 'driftguard/prod',
        severity: 'critical',
        timestamp: '2026-11-30T10:01:00.000Z',
        component: 'aws_security_group.web_0',
        group: 'prod',
        class: 'modified drift',
      },
      client: 'DriftGuard',
      client_url: 'https://driftguard.example/r/n1/g/prod',
    });
    expect(e['payload'].custom_details.items[0]).toMatchObject({ resource: 'aws_security_group.web_0', security_critical: true });
    expect(e['links']).toContainEqual({ href: 'https://driftguard.example/r/n1/g/prod', text: 'Open in DriftGuard' });
    expect(e['links']).toContainEqual(expect.objectContaining({ href: 'https://acme.pagerduty.example/incidents/PD-42' }));
    expect(pd.alerts.get(`${pd.routingKey}/driftguard:drift:1000`)?.status).toBe('triggered');
  });

  it.each([
    ['critical', 'critical'],
    ['high', 'error'],
    ['medium', 'warning'],
    ['low', 'info'],
  ] as const)('maps priority %s to severity %s', async (priority, severity) => {
    const alert = { ...buildAlert(), priority };
    expect((await pagerDutyChannel.send(config(), alert, sendContext(network))).ok).toBe(true);
    expect(lastEvent()['payload'].severity).toBe(severity);
  });

  it('resolves with the same dedup_key and routing_key, closing the alert the trigger opened; an update triggers it again', async () => {
    await pagerDutyChannel.send(config(), buildAlert(), sendContext(network));
    await pagerDutyChannel.send(config(), buildAlert({ action: 'update', notificationId: 78 }), sendContext(network));
    const alert = pd.alerts.get(`${pd.routingKey}/driftguard:drift:1000`)!;
    expect(alert.events.map((e) => e.event_action)).toEqual(['trigger', 'trigger']);
    const r = await pagerDutyChannel.send(config(), buildAlert({ action: 'resolve', notificationId: 79 }), sendContext(network));
    expect(r.ok).toBe(true);
    expect(lastEvent()).toEqual({ routing_key: pd.routingKey, event_action: 'resolve', dedup_key: 'driftguard:drift:1000' });
    expect(alert.status).toBe('resolved');
    expect(pd.alerts.size).toBe(1);
  });

  it('keeps the summary within 1,024 characters', async () => {
    const alert = { ...buildAlert(), title: 't'.repeat(3000) };
    const r = await pagerDutyChannel.send(config(), alert, sendContext(network));
    expect(r.ok, JSON.stringify(r)).toBe(true);
    expect(lastEvent()['payload'].summary.length).toBe(1024);
  });

  it('does not retry a 400 and keeps PagerDuty’s errors', async () => {
    pd.script(pd.answers.invalid("'payload.source' is missing or blank"));
    expect(failure(await pagerDutyChannel.send(config(), buildAlert(), sendContext(network)))).toEqual({
      ok: false,
      retryable: false,
      status: 400,
      error: "Event object is invalid; 'payload.source' is missing or blank",
    });
  });

  it('retries 429 and 500', async () => {
    pd.script(pd.answers.throttled(), pd.answers.serverError());
    expect(failure(await pagerDutyChannel.send(config(), buildAlert(), sendContext(network)))).toMatchObject({
      retryable: true,
      status: 429,
    });
    expect(failure(await pagerDutyChannel.send(config(), buildAlert(), sendContext(network)))).toMatchObject({
      retryable: true,
      status: 500,
    });
    expect(pd.alerts.size).toBe(0);
  });

  it('refuses a routing key that is not 32 characters before sending anything', async () => {
    const r = failure(
      await sendThroughChannel('pagerduty', { routingKey: 'short', baseUrl: pd.baseUrl }, buildAlert(), sendContext(network)),
    );
    expect(r.retryable).toBe(false);
    expect(r.error).toMatch(/^invalid pagerduty configuration: routingKey: /);
    expect(r.error).not.toContain('short');
    expect(pd.received).toHaveLength(0);
  });

  it('tests the channel with an info event it resolves at once', async () => {
    expect((await pagerDutyChannel.send(config(), buildAlert({ action: 'test' }), sendContext(network))).ok).toBe(true);
    const [trigger, resolve] = pd.received.map((q) => JSON.parse(q.body) as Record<string, any>);
    expect(trigger).toMatchObject({
      event_action: 'trigger',
      payload: { severity: 'info', summary: 'DriftGuard test message (prod)' },
    });
    expect(resolve).toMatchObject({ event_action: 'resolve', dedup_key: trigger!['dedup_key'] });
    expect([...pd.alerts.values()].map((a) => a.status)).toEqual(['resolved']);
  });
});

describe('PagerDuty peer', () => {
  const event = () => ({
    routing_key: pd.routingKey,
    event_action: 'trigger',
    dedup_key: 'k',
    payload: { summary: 's', source: 'h', severity: 'error' },
  });
  const raw = async (body: unknown) => {
    const res = await fetch(`${pd.baseUrl}/v2/enqueue`, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });
    return { status: res.status, body: (await res.json()) as { status: string; errors?: string[] } };
  };

  it('refuses what PagerDuty refuses, with its 400 body', async () => {
    expect((await raw(event())).status).toBe(202);
    for (const bad of [
      { ...event(), routing_key: pd.routingKey.slice(1) },
      { ...event(), event_action: 'open' },
      { ...event(), payload: { ...event().payload, severity: 'fatal' } },
      { ...event(), payload: { ...event().payload, summary: 'x'.repeat(1025) } },
      { ...event(), payload: { summary: 's', severity: 'info' } },
      { ...event(), dedup_key: 'k'.repeat(256) },
      { routing_key: pd.routingKey, event_action: 'resolve' },
    ]) {
      const r = await raw(bad);
      expect(r.status, JSON.stringify(bad).slice(0, 200)).toBe(400);
      expect(r.body.status).toBe('invalid event');
      expect(r.body.errors?.length).toBeGreaterThan(0);
    }
  });
});

import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { webhookChannel, type SendResult, type WebhookConfig } from '../src/channels/index.js';
import { buildAlert, loopbackNetwork, newWebhookSecret, sendContext, startWebhookPeer, type WebhookPeer } from './peers/index.js';

const network = loopbackNetwork();
const oldSecret = newWebhookSecret();
const newSecret = newWebhookSecret();
let receiver: WebhookPeer;
beforeAll(async () => {
  receiver = await startWebhookPeer({ secrets: [oldSecret] });
});
afterAll(async () => {
  await receiver?.close();
  await network.close();
});

const config = (url: string, secrets = [oldSecret], headers: Record<string, string> = {}): WebhookConfig =>
  webhookChannel.config.parse({ url, secrets, headers });
const failure = (r: SendResult) => {
  if (r.ok) throw new Error(`expected a failure, got ${JSON.stringify(r)}`);
  return r;
};

describe('signed webhooks (Standard Webhooks)', () => {
  it('delivers {type, timestamp, data} that standardwebhooks verifies, webhook-id being the idempotency key', async () => {
    const alert = buildAlert();
    const r = await webhookChannel.send(config(receiver.endpoint), alert, sendContext(network));
    expect(r).toEqual({ ok: true, status: 204 });
    const d = receiver.deliveries.at(-1)!;
    expect(d.id).toBe(alert.idempotencyKey);
    expect(Math.abs(d.timestamp - Date.now() / 1000)).toBeLessThan(300);
    expect(d.body.type).toBe('driftguard.alert.trigger');
    expect(d.body.data).toMatchObject({
      key: 'drift:1000',
      total: 1,
      itemsNotListed: 0,
      environment: { name: 'prod', production: true },
    });
    expect(d.signatures).toHaveLength(1);
    expect(d.signatures[0]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
  });

  it('signs HMAC-SHA256 over id.timestamp.body with the base64-decoded secret, as the spec defines', async () => {
    await webhookChannel.send(config(receiver.endpoint), buildAlert(), sendContext(network));
    const req = receiver.received.at(-1)!;
    const key = Buffer.from(oldSecret.slice('whsec_'.length), 'base64');
    const signed = `${String(req.headers['webhook-id'])}.${String(req.headers['webhook-timestamp'])}.${req.body}`;
    expect(req.headers['webhook-signature']).toBe(`v1,${createHmac('sha256', key).update(signed).digest('base64')}`);
  });

  it('signs with every secret during a rotation, so receivers with the old or the new secret both verify', async () => {
    const withNew = await startWebhookPeer({ secrets: [newSecret] });
    try {
      const rotating = [newSecret, oldSecret];
      expect((await webhookChannel.send(config(receiver.endpoint, rotating), buildAlert(), sendContext(network))).ok).toBe(true);
      expect((await webhookChannel.send(config(withNew.endpoint, rotating), buildAlert(), sendContext(network))).ok).toBe(true);
      const req = withNew.received.at(-1)!;
      const signatures = String(req.headers['webhook-signature']).split(' ');
      expect(signatures).toHaveLength(2);
      // Each secret verifies on its own.
      const headers = {
        'webhook-id': String(req.headers['webhook-id']),
        'webhook-timestamp': String(req.headers['webhook-timestamp']),
      };
      for (const [i, secret] of rotating.entries())
        expect(() => new Webhook(secret).verify(req.body, { ...headers, 'webhook-signature': signatures[i]! })).not.toThrow();
    } finally {
      await withNew.close();
    }
  });

  it('is refused by a receiver that does not hold the secret', async () => {
    const r = failure(await webhookChannel.send(config(receiver.endpoint, [newSecret]), buildAlert(), sendContext(network)));
    expect(r).toMatchObject({ retryable: false, status: 401 });
    expect(r.error).toContain('No matching signature found');
  });

  it('sends the custom headers, which cannot replace the signature headers', async () => {
    await webhookChannel.send(
      config(receiver.endpoint, [oldSecret], { Authorization: 'Bearer abc', 'X-Tenant': 'acme' }),
      buildAlert(),
      sendContext(network),
    );
    const req = receiver.received.at(-1)!;
    expect(req.headers['authorization']).toBe('Bearer abc');
    expect(req.headers['x-tenant']).toBe('acme');
    expect(
      webhookChannel.config.safeParse({ url: receiver.endpoint, secrets: [oldSecret], headers: { 'Webhook-Signature': 'v1,x' } })
        .success,
    ).toBe(false);
  });

  it('keeps the same webhook-id on a retry of the same delivery', async () => {
    const alert = buildAlert({ notificationId: 90 });
    receiver.script(receiver.answers.serverError());
    expect(failure(await webhookChannel.send(config(receiver.endpoint), alert, sendContext(network)))).toMatchObject({
      retryable: true,
      status: 503,
    });
    expect((await webhookChannel.send(config(receiver.endpoint), alert, sendContext(network))).ok).toBe(true);
    const ids = receiver.received.slice(-2).map((q) => q.headers['webhook-id']);
    expect(ids).toEqual([alert.idempotencyKey, alert.idempotencyKey]);
  });

  it('retries 429 after its Retry-After and gives up on 410', async () => {
    receiver.script(receiver.answers.throttled(30), receiver.answers.gone());
    expect(failure(await webhookChannel.send(config(receiver.endpoint), buildAlert(), sendContext(network)))).toMatchObject({
      retryable: true,
      status: 429,
      retryAfterMs: 30_000,
    });
    expect(failure(await webhookChannel.send(config(receiver.endpoint), buildAlert(), sendContext(network)))).toMatchObject({
      retryable: false,
      status: 410,
    });
  });

  it('does not follow a redirect and says so', async () => {
    const before = receiver.received.length;
    receiver.script(receiver.answers.redirect(`${receiver.url}/hooks/driftguard?token=secret`));
    const r = failure(await webhookChannel.send(config(receiver.endpoint), buildAlert(), sendContext(network)));
    expect(r).toMatchObject({ retryable: false, status: 302 });
    expect(r.error).toBe(`redirect (302 to ${receiver.url}/hooks/driftguard) not followed; configure the final URL`);
    expect(receiver.received.length).toBe(before + 1);
  });

  it('sends a test event', async () => {
    expect((await webhookChannel.send(config(receiver.endpoint), buildAlert({ action: 'test' }), sendContext(network))).ok).toBe(
      true,
    );
    expect(receiver.deliveries.at(-1)!.body).toMatchObject({
      type: 'driftguard.test',
      data: { message: 'DriftGuard test message' },
    });
  });

  it('lists at most 20 drifts of a large group and counts the rest', async () => {
    expect((await webhookChannel.send(config(receiver.endpoint), buildAlert({ count: 500 }), sendContext(network))).ok).toBe(
      true,
    );
    const data = receiver.deliveries.at(-1)!.body.data;
    expect(data['items']).toHaveLength(20);
    expect(data['itemsNotListed']).toBe(480);
  });
});

import { ChannelType } from '@driftguard/contracts';
import { describe, expect, it } from 'vitest';
import { channelAdapters, parseChannelConfig, secretFieldsOf, sendThroughChannel } from '../src/channels/index.js';
import { buildAlert, loopbackNetwork, newWebhookSecret, sendContext } from './peers/index.js';

/** A valid configuration of each type, every secret field filled. */
const samples = {
  slack: { webhookUrl: 'https://hooks.slack.example/services/T0/B0/secret-path' },
  pagerduty: { routingKey: 'R0123456789abcdef0123456789abcde' },
  webhook: {
    url: 'https://receiver.example/hook?token=abc',
    secrets: [newWebhookSecret()],
    headers: { Authorization: 'Bearer abc' },
  },
  email: {
    host: 'smtp.example',
    from: 'alerts@example.com',
    to: ['oncall@example.com'],
    username: 'u',
    password: 'smtp-password',
  },
};

describe('channel registry', () => {
  it('has an adapter for every channel type, each of its own type', () => {
    for (const type of ChannelType.options) expect(channelAdapters[type].type).toBe(type);
  });

  it('names secret fields that are configuration keys (so they can be stored encrypted)', () => {
    for (const type of ChannelType.options) {
      const parsed = parseChannelConfig(type, samples[type]);
      const secrets = secretFieldsOf(type).filter((f) => f in parsed);
      expect(secrets.length, type).toBeGreaterThan(0);
    }
    expect(secretFieldsOf('slack')).toEqual(expect.arrayContaining(['webhookUrl', 'botToken']));
    expect(secretFieldsOf('webhook')).toEqual(expect.arrayContaining(['url', 'secrets', 'headers']));
  });

  it('refuses an invalid configuration without sending, naming fields and never their values', async () => {
    const network = loopbackNetwork();
    try {
      const r = await sendThroughChannel(
        'webhook',
        { url: 'ftp://x', secrets: ['whsec_tooshort'], headers: {} },
        buildAlert(),
        sendContext(network),
      );
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.retryable).toBe(false);
      expect(r.error).toMatch(/^invalid webhook configuration: /);
      expect(r.error).toContain('secrets.0');
      expect(r.error).not.toContain('whsec_tooshort');
    } finally {
      await network.close();
    }
  });
});

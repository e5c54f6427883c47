import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseOutboundAllowList } from '@driftguard/runtime';
import { createChannelNetwork, webhookChannel, type SendResult } from '../src/channels/index.js';
import { buildAlert, loopbackNetwork, newWebhookSecret, sendContext, startWebhookPeer, type WebhookPeer } from './peers/index.js';

const secret = newWebhookSecret();
let receiver: WebhookPeer;
beforeAll(async () => {
  receiver = await startWebhookPeer({ secrets: [secret] });
});
afterAll(() => receiver?.close());

const send = (url: string, network = loopbackNetwork()) =>
  webhookChannel.send({ url, secrets: [secret], headers: {} }, buildAlert(), sendContext(network)).finally(() => network.close());
const failure = (r: SendResult) => {
  if (r.ok) throw new Error(`expected a failure, got ${JSON.stringify(r)}`);
  return r;
};

describe('outbound guard of channel requests', () => {
  it.each([
    ['http://169.254.169.254/latest/meta-data/', 'link-local'],
    ['http://10.0.0.1/hook', 'private-network'],
    ['http://[::ffff:169.254.169.254]/', 'link-local'],
    ['http://metadata.google.internal/', 'internal network'],
  ])('refuses %s without retrying', async (url, words) => {
    const r = failure(await send(url));
    expect(r.retryable).toBe(false);
    expect(r.error).toMatch(/^outbound_refused: /);
    expect(r.error).toContain(words);
  });

  it.each([
    ['hooks.metadata.example', '169.254.169.254', 'link-local'],
    ['hooks.intranet.example', '10.0.0.1', 'private-network'],
  ])('refuses %s, a name that resolves to %s, at connect time', async (name, address, words) => {
    const r = failure(await send(`https://${name}/hook`, loopbackNetwork({ [name]: address })));
    expect(r.retryable).toBe(false);
    expect(r.error).toContain(`${address} is a ${words}`);
    expect(r.error).toContain(`${name} resolves to it`);
  });

  it('refuses loopback unless DG_OUTBOUND_ALLOW lists it', async () => {
    const port = new URL(receiver.url).port;
    const name = 'hooks.rebound.example';
    const refused = failure(
      await send(`http://${name}:${port}/hooks/driftguard`, loopbackNetwork({ [name]: '127.0.0.1' }, { allow: '' })),
    );
    expect(refused.error).toContain('127.0.0.1 is a loopback address');
    const before = receiver.deliveries.length;
    const allowed = await send(`http://${name}:${port}/hooks/driftguard`, loopbackNetwork({ [name]: '127.0.0.1' }));
    expect(allowed.ok, JSON.stringify(allowed)).toBe(true);
    expect(receiver.deliveries.length).toBe(before + 1);
  });

  it('checks the address it connects to, resolved when the connection opens (DNS rebinding cannot swap it)', async () => {
    const port = new URL(receiver.url).port;
    const name = 'hooks.rebinding.example';
    // A rebinding resolver: a harmless answer first, the metadata service after.
    const answers = ['127.0.0.1', '169.254.169.254'];
    let lookups = 0;
    const network = createChannelNetwork({
      allow: parseOutboundAllowList('127.0.0.1'),
      lookup: async () => [{ address: answers[Math.min(lookups++, answers.length - 1)]!, family: 4 }],
    });
    const config = { url: `http://${name}:${port}/hooks/driftguard`, secrets: [secret], headers: {} };
    try {
      expect((await webhookChannel.send(config, buildAlert(), sendContext(network))).ok).toBe(true);
      expect(lookups).toBe(1);
    } finally {
      await network.close();
    }
    const next = createChannelNetwork({
      allow: parseOutboundAllowList('127.0.0.1'),
      lookup: async () => [{ address: answers[Math.min(lookups++, answers.length - 1)]!, family: 4 }],
    });
    try {
      const r = failure(await webhookChannel.send(config, buildAlert(), sendContext(next)));
      expect(r.error).toContain('169.254.169.254 is a link-local address');
      expect(lookups).toBe(2);
    } finally {
      await next.close();
    }
  });

  it('gives up on a provider that does not answer in time and says the attempt may be retried', async () => {
    const silent: Server = createServer(() => {
      /* never answers */
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const r = failure(await send(`http://127.0.0.1:${port}/`, loopbackNetwork({}, { timeoutMs: 200 })));
      expect(r.retryable).toBe(true);
      expect(r.error).toMatch(/no answer in time|timeout/i);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });
});

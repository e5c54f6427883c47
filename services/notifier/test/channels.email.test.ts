import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailChannel, type EmailConfig, type SendResult } from '../src/channels/index.js';
import { buildAlert, loopbackNetwork, sendContext, startSmtpPeer, type SmtpPeer } from './peers/index.js';

let smtp: SmtpPeer;
let authed: SmtpPeer;
const network = loopbackNetwork({
  'smtp.peer.test': '127.0.0.1',
  'smtp.auth.test': '127.0.0.1',
  'smtp.intranet.example': '10.0.0.1',
});
beforeAll(async () => {
  smtp = await startSmtpPeer();
  authed = await startSmtpPeer({ hostname: 'smtp.auth.test', auth: { user: 'alerts', pass: 'relay-password-1' } });
}, 30_000);
afterAll(async () => {
  await smtp?.close();
  await authed?.close();
  await network.close();
});

const config = (overrides: Partial<EmailConfig> = {}): EmailConfig =>
  emailChannel.config.parse({
    host: smtp.hostname,
    port: smtp.port,
    from: 'DriftGuard <alerts@driftguard.example>',
    to: ['oncall@acme.example', 'platform@acme.example'],
    ca: smtp.ca,
    ...overrides,
  });
const failure = (r: SendResult) => {
  if (r.ok) throw new Error(`expected a failure, got ${JSON.stringify(r)}`);
  return r;
};

describe('email over SMTP', () => {
  it('delivers HTML and plain-text parts to every recipient over STARTTLS', async () => {
    const r = await emailChannel.send(config(), buildAlert(), sendContext(network));
    expect(r, JSON.stringify(r)).toMatchObject({ ok: true, status: 250 });
    const mail = smtp.received.at(-1)!;
    expect(mail.secure).toBe(true);
    expect(mail.envelope).toEqual({ from: 'alerts@driftguard.example', to: ['oncall@acme.example', 'platform@acme.example'] });
    expect(mail.subject).toBe('[DriftGuard] CRITICAL drift in prod: aws_security_group.web_0');
    expect(mail.text).toContain('[security] /ingress/0/cidr_blocks/0: 10.0.0.0/8 -> 0.0.0.0/0');
    expect(mail.text).toContain('https://driftguard.example/r/n1/g/prod');
    expect(mail.html).toContain('<code>/ingress/0/cidr_blocks/0</code> 🔒');
    expect(mail.html).toContain('<a href="https://git.example/acme/infra/commit/4f2c1e9">');
    expect(mail.html).toContain('<strong>Recommendation:</strong> auto revert');
  });

  it('threads an update under the key of the first mail', async () => {
    await emailChannel.send(config(), buildAlert(), sendContext(network));
    const first = smtp.received.at(-1)!;
    await emailChannel.send(config(), buildAlert({ action: 'resolve', notificationId: 80 }), sendContext(network));
    const resolved = smtp.received.at(-1)!;
    expect(resolved.subject).toMatch(/^\[DriftGuard\] Resolved: /);
    expect(first.references).toHaveLength(1);
    expect(resolved.inReplyTo).toBe(first.references[0]);
    expect(resolved.messageId).not.toBe(first.messageId);
  });

  it('escapes what the drift says in the HTML part', async () => {
    const alert = buildAlert();
    alert.items[0]!.recommendation!.rationale = '<script>alert(1)</script>';
    await emailChannel.send(config(), alert, sendContext(network));
    expect(smtp.received.at(-1)!.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(smtp.received.at(-1)!.html).not.toContain('<script>');
  });

  it('authenticates after STARTTLS when a username is configured', async () => {
    const ok = await emailChannel.send(
      config({ host: authed.hostname, port: authed.port, ca: authed.ca, username: 'alerts', password: 'relay-password-1' }),
      buildAlert(),
      sendContext(network),
    );
    expect(ok.ok, JSON.stringify(ok)).toBe(true);
    expect(authed.received.at(-1)).toMatchObject({ secure: true, user: 'alerts' });
    const wrong = failure(
      await emailChannel.send(
        config({ host: authed.hostname, port: authed.port, ca: authed.ca, username: 'alerts', password: 'not-the-password' }),
        buildAlert(),
        sendContext(network),
      ),
    );
    expect(wrong).toMatchObject({ retryable: false, status: 535 });
    expect(wrong.error).not.toContain('not-the-password');
  });

  it('does not retry a 5xx reply and retries a 4xx reply', async () => {
    smtp.script(
      { code: 550, message: 'mailbox unavailable', stage: 'rcpt' },
      { code: 550, message: 'mailbox unavailable', stage: 'rcpt' },
    );
    expect(failure(await emailChannel.send(config(), buildAlert(), sendContext(network)))).toMatchObject({
      retryable: false,
      status: 550,
    });
    smtp.script({ code: 451, message: 'try again later', stage: 'data' });
    expect(failure(await emailChannel.send(config(), buildAlert(), sendContext(network)))).toMatchObject({
      retryable: true,
      status: 451,
    });
  });

  it('reports recipients the server refused while delivering to the others', async () => {
    smtp.script({ code: 550, message: 'no such user', stage: 'rcpt' });
    const r = await emailChannel.send(config(), buildAlert(), sendContext(network));
    if (!r.ok) throw new Error(r.error);
    expect(r.providerRef?.['rejected']).toBe('oncall@acme.example');
    expect(smtp.received.at(-1)!.envelope.to).toEqual(['platform@acme.example']);
  });

  it('refuses a certificate it cannot trust rather than sending in clear', async () => {
    const before = smtp.received.length;
    const { ca: _ca, ...untrusting } = config();
    const r = failure(await emailChannel.send(untrusting, buildAlert(), sendContext(network)));
    expect(r.retryable).toBe(false);
    expect(r.error).toMatch(/^TLS: .*certificate/i);
    expect(smtp.received.length).toBe(before);
  });

  it('refuses an SMTP host that resolves to a private address', async () => {
    const r = failure(await emailChannel.send(config({ host: 'smtp.intranet.example' }), buildAlert(), sendContext(network)));
    expect(r).toMatchObject({ retryable: false });
    expect(r.error).toContain('10.0.0.1 is a private-network address');
  });

  it('sends a test message', async () => {
    expect((await emailChannel.send(config(), buildAlert({ action: 'test' }), sendContext(network))).ok).toBe(true);
    expect(smtp.received.at(-1)!.subject).toBe('[DriftGuard] DriftGuard test message');
  });
});

describe('email with requireTLS', () => {
  it('refuses a server that does not offer STARTTLS (without requireTLS, such a server gets the mail in clear)', async () => {
    const plain = await startSmtpPeer({ withoutStartTls: true });
    try {
      const opportunistic = await emailChannel.send(
        config({ host: plain.hostname, port: plain.port, ca: plain.ca }),
        buildAlert(),
        sendContext(network),
      );
      expect(opportunistic.ok).toBe(true);
      expect(plain.received.map((m) => m.secure)).toEqual([false]);
      plain.received.length = 0;
      const r = failure(
        await emailChannel.send(
          config({ host: plain.hostname, port: plain.port, ca: plain.ca, requireTLS: true }),
          buildAlert(),
          sendContext(network),
        ),
      );
      expect(r.retryable).toBe(false);
      expect(plain.received).toHaveLength(0);
    } finally {
      await plain.close();
    }
  }, 30_000);
});

import type { AddressInfo } from 'node:net';
import { simpleParser, type AddressObject } from 'mailparser';
import { generate } from 'selfsigned';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';

/**
 * An SMTP server (smtp-server) standing for a mail relay: STARTTLS with a certificate made for
 * `hostname` at start (its PEM is `ca`, to trust it explicitly), AUTH only after STARTTLS and
 * only when `auth` is given, no reverse DNS. Every message is parsed (mailparser) and kept with
 * whether it arrived over TLS. Scripted SMTP replies refuse the next messages.
 */
export interface ReceivedMail {
  envelope: { from: string; to: string[] };
  /** the session was upgraded with STARTTLS (or was TLS from the start) */
  secure: boolean;
  user: string | undefined;
  subject: string | undefined;
  text: string | undefined;
  html: string | undefined;
  from: string | undefined;
  to: string[];
  messageId: string | undefined;
  inReplyTo: string | undefined;
  references: string[];
}

export interface SmtpReply {
  /** the SMTP reply code, 4yz transient, 5yz permanent */
  code: number;
  message: string;
  /** where the server refuses (default: after DATA) */
  stage?: 'mail' | 'rcpt' | 'data';
}

export interface SmtpPeer {
  /** the name the certificate is made for; map it to 127.0.0.1 in the resolver */
  hostname: string;
  port: number;
  /** the PEM of the self-signed certificate */
  ca: string;
  received: ReceivedMail[];
  script(...replies: SmtpReply[]): void;
  close(): Promise<void>;
}

function addresses(a: AddressObject | AddressObject[] | undefined): string[] {
  if (!a) return [];
  return (Array.isArray(a) ? a : [a]).flatMap((o) => o.value.map((v) => v.address ?? ''));
}

function refusal(reply: SmtpReply): Error {
  return Object.assign(new Error(reply.message), { responseCode: reply.code });
}

export async function startSmtpPeer(
  options: { port?: number; hostname?: string; auth?: { user: string; pass: string }; withoutStartTls?: boolean } = {},
): Promise<SmtpPeer> {
  const hostname = options.hostname ?? 'smtp.peer.test';
  const pems = await generate([{ name: 'commonName', value: hostname }], {
    keyType: 'ec',
    curve: 'P-256',
    notAfterDate: new Date(Date.now() + 24 * 3600_000),
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 2, value: hostname }] }],
  });
  const received: ReceivedMail[] = [];
  const scripted: SmtpReply[] = [];
  const take = (stage: SmtpReply['stage']) => {
    const next = scripted[0];
    if (next && (next.stage ?? 'data') === stage) return scripted.shift();
    return undefined;
  };

  const server = new SMTPServer({
    secure: false,
    key: pems.private,
    cert: pems.cert,
    // A server without STARTTLS at all (hiding it is not enough: clients may try it anyway).
    ...(options.withoutStartTls ? { disabledCommands: ['STARTTLS'], hideSTARTTLS: true } : {}),
    authOptional: options.auth === undefined,
    allowInsecureAuth: false,
    disableReverseLookup: true,
    closeTimeout: 1000,
    logger: false,
    size: 10 * 1024 * 1024,
    onAuth(auth, _session, cb) {
      if (options.auth && auth.username === options.auth.user && auth.password === options.auth.pass)
        cb(null, { user: auth.username });
      else cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onMailFrom(_address, _session, cb) {
      const reply = take('mail');
      cb(reply ? refusal(reply) : null);
    },
    onRcptTo(_address, _session, cb) {
      const reply = take('rcpt');
      cb(reply ? refusal(reply) : null);
    },
    onData(stream, session: SMTPServerSession, cb) {
      // The stream must be read to its end before answering, or the client waits forever.
      simpleParser(stream).then(
        (mail) => {
          if (stream.sizeExceeded) return cb(Object.assign(new Error('Message too big'), { responseCode: 552 }));
          const reply = take('data');
          if (reply) return cb(refusal(reply));
          received.push({
            envelope: {
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
            },
            secure: session.secure,
            user: typeof session.user === 'string' ? session.user : undefined,
            subject: mail.subject,
            text: mail.text,
            html: typeof mail.html === 'string' ? mail.html : undefined,
            from: mail.from?.value[0]?.address,
            to: addresses(mail.to),
            messageId: mail.messageId,
            inReplyTo: mail.inReplyTo,
            references: mail.references === undefined ? [] : Array.isArray(mail.references) ? mail.references : [mail.references],
          });
          cb();
        },
        (err: unknown) => cb(err instanceof Error ? err : new Error(String(err))),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    hostname,
    port,
    ca: pems.cert,
    received,
    script: (...replies) => scripted.push(...replies),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

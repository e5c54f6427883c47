import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One answer a peer gives: status, body (objects are sent as JSON), headers. */
export interface PeerAnswer {
  status: number;
  body?: string | object;
  headers?: Record<string, string>;
}

/** A request as a peer saw it, with what it answered. */
export interface PeerRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** false when the peer refused the request as the provider would */
  accepted: boolean;
  answer: PeerAnswer;
}

export interface HttpPeer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  received: PeerRequest[];
  /** the answers to give to the next requests that pass validation, in order, instead of success */
  script(...answers: PeerAnswer[]): void;
  close(): Promise<void>;
}

/** What a peer decides for one request: the provider's refusal, or its success answer. */
export type PeerVerdict = { accepted: false; answer: PeerAnswer } | { accepted: true; answer: PeerAnswer; commit?: () => void };

/**
 * A local HTTP server standing for a provider: `handle` checks each request as the provider does
 * and returns its verdict; scripted answers replace the success answer of the next valid
 * requests (a valid request the provider answered 429 or 500 changes nothing, so `commit` is skipped).
 */
export async function startHttpPeer(
  port: number,
  handle: (req: { method: string; path: string; headers: IncomingHttpHeaders; body: string }) => PeerVerdict,
): Promise<HttpPeer> {
  const received: PeerRequest[] = [];
  const scripted: PeerAnswer[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const seen = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      let verdict: PeerVerdict;
      try {
        verdict = handle(seen);
      } catch (err) {
        verdict = { accepted: false, answer: { status: 500, body: `peer error: ${(err as Error).message}` } };
      }
      let answer = verdict.answer;
      if (verdict.accepted) {
        const next = scripted.shift();
        if (next) answer = next;
        else verdict.commit?.();
      }
      received.push({ ...seen, accepted: verdict.accepted, answer });
      const body = answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
      res.writeHead(answer.status, {
        'content-type': typeof answer.body === 'object' ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8',
        ...answer.headers,
      });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}`,
    received,
    script: (...answers) => scripted.push(...answers),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

/** The JSON of a body, or undefined when it is not JSON. */
export function jsonOf(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

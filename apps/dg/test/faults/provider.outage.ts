import { createServer, request } from 'node:http';

/**
 * The front of a provider: passes every request to the provider peer behind it, except during an
 * outage, when it answers 503 itself, as a provider whose backend is down does.
 */
export interface ProviderOutage {
  /** the URL to configure in the channel: the peer's endpoint through this front */
  endpoint: string;
  /** Answers 503 to everything from now until `end()`. */
  begin(): void;
  end(): void;
  /** requests answered 503 so far */
  refused(): number;
  /** the most 503s one delivery (one `webhook-id`) got */
  mostRefusalsOfOne(): number;
  close(): Promise<void>;
}

export async function startProviderOutage(peerEndpoint: string): Promise<ProviderOutage> {
  const target = new URL(peerEndpoint);
  let down = false;
  const refusals = new Map<string, number>();
  let refused = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (down) {
        refused++;
        const id = String(req.headers['webhook-id']);
        refusals.set(id, (refusals.get(id) ?? 0) + 1);
        res.writeHead(503, { 'content-type': 'text/plain' }).end('service unavailable');
        return;
      }
      const out = request(
        { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      out.on('error', () => res.destroy());
      out.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}${target.pathname}`,
    begin: () => void (down = true),
    end: () => void (down = false),
    refused: () => refused,
    mostRefusalsOfOne: () => Math.max(0, ...refusals.values()),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

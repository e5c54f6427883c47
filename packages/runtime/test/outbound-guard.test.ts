import { createServer } from 'node:http';
import { Agent, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createOutboundGuard, OutboundRefusedError, outboundTarget, parseOutboundAllowList } from '../src/index.js';

const guard = createOutboundGuard();
const check = (url: string) => guard.checkUrl(url, { schemes: ['https', 'http', 'ssh', 'git'] });
const reasonOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err instanceof OutboundRefusedError ? err.reason : `not refused: ${String(err)}`;
  }
};

describe('outbound guard: what a URL names', () => {
  it.each([
    ['http://127.0.0.1/x.git', 'loopback'],
    ['http://2130706433/x.git', 'loopback'],
    ['http://0x7f.1/x.git', 'loopback'],
    ['http://0177.0.0.1/x.git', 'loopback'],
    ['https://[::1]/x.git', 'loopback'],
    ['https://[::ffff:127.0.0.1]/x.git', 'loopback'],
    ['http://169.254.169.254/latest/meta-data/', 'link_local'],
    ['https://[fe80::1]/x.git', 'link_local'],
    ['https://10.1.2.3/x.git', 'private'],
    ['https://172.16.0.1/x.git', 'private'],
    ['https://172.31.255.254/x.git', 'private'],
    ['https://192.168.1.1/x.git', 'private'],
    ['https://[fc00::1]/x.git', 'private'],
    ['https://[fd12:3456::1]/x.git', 'private'],
    ['https://100.64.0.1/x.git', 'shared'],
    ['http://0.0.0.0/x.git', 'unspecified'],
    ['https://[::7f00:1]/x.git', 'reserved'],
    ['https://[64:ff9b::7f00:1]/x.git', 'reserved'],
    ['https://[fd00:ec2::254]/x.git', 'private'],
    ['https://[::]/x.git', 'unspecified'],
    ['http://metadata.google.internal/computeMetadata/v1/', 'internal_name'],
    ['https://localhost/x.git', 'internal_name'],
    ['https://LOCALHOST./x.git', 'internal_name'],
    ['ssh://git@127.0.0.1/x.git', 'loopback'],
    ['git@10.0.0.5:org/x.git', 'private'],
    ['git@[::1]:org/x.git', 'loopback'],
    ['git://192.168.0.9/x.git', 'private'],
    ['file:///srv/git/x.git', 'local'],
    ['/srv/git/x.git', 'local'],
    ['ext::sh -c id', 'scheme'],
    ['ftp://example.com/x.git', 'scheme'],
  ])('refuses %s (%s)', (url, reason) => {
    expect(reasonOf(() => check(url))).toBe(reason);
  });

  it.each([
    'https://github.com/org/x.git',
    'git@gitlab.com:org/x.git',
    'ssh://git@example.com:2222/x.git',
    'https://8.8.8.8/x.git',
    'https://172.32.0.1/x.git',
  ])('accepts the public target %s', (url) => {
    expect(() => check(url)).not.toThrow();
  });

  it('names the port each scheme connects to', () => {
    expect(outboundTarget('ssh://git@example.com:80/x')).toEqual({ scheme: 'ssh', host: 'example.com', port: 80 });
    expect(outboundTarget('git@example.com:x')).toEqual({ scheme: 'ssh', host: 'example.com', port: 22 });
    expect(outboundTarget('https://example.com/x')).toEqual({ scheme: 'https', host: 'example.com', port: 443 });
    expect(outboundTarget('http://example.com:443/x')).toEqual({ scheme: 'http', host: 'example.com', port: 443 });
  });

  it('lets the allow list open loopback, a range or a host, port by port', () => {
    const allow = parseOutboundAllowList('127.0.0.1, ::1, 10.9.0.0/16, git.corp:443, [::1]:8443');
    const open = createOutboundGuard({ allow });
    const ok = (url: string) => open.checkUrl(url, { schemes: ['https', 'http'] });
    expect(() => ok('http://127.0.0.1:9999/x')).not.toThrow();
    expect(() => ok('http://2130706433/x')).not.toThrow();
    expect(() => ok('https://[::1]/x')).not.toThrow();
    expect(() => ok('https://10.9.3.4/x')).not.toThrow();
    expect(reasonOf(() => ok('https://10.8.3.4/x'))).toBe('private');
    expect(() => ok('https://git.corp/x')).not.toThrow();
    expect(() => parseOutboundAllowList('not a host!')).toThrow(/not an address/);
    expect(() => parseOutboundAllowList('127.0.0.1:70000')).toThrow(/port must be/);
  });
});

describe('outbound guard: at connect time', () => {
  it('refuses a public-looking name that resolves to loopback (DNS rebinding), and pins the vetted address', async () => {
    const answers: Record<string, string[]> = {
      'git.rebind.test': ['127.0.0.1'],
      'mixed.test': ['93.184.215.14', '10.0.0.1'],
      'public.test': ['93.184.215.14'],
    };
    const lookup = async (host: string) => (answers[host] ?? []).map((address) => ({ address, family: 4 }));
    const strict = createOutboundGuard({ lookup });
    await expect(strict.resolve({ scheme: 'https', host: 'git.rebind.test', port: 443 })).rejects.toMatchObject({
      reason: 'loopback',
    });
    await expect(strict.resolve({ scheme: 'https', host: 'mixed.test', port: 443 })).rejects.toMatchObject({ reason: 'private' });
    await expect(strict.resolve({ scheme: 'https', host: 'nowhere.test', port: 443 })).rejects.toMatchObject({
      reason: 'unresolved',
    });
    expect(await strict.resolve({ scheme: 'https', host: 'public.test', port: 443 })).toEqual({
      host: 'public.test',
      port: 443,
      address: '93.184.215.14',
      family: 4,
    });
    const open = createOutboundGuard({ lookup, allow: parseOutboundAllowList('127.0.0.1') });
    expect(await open.resolve({ scheme: 'https', host: 'git.rebind.test', port: 443 })).toMatchObject({ address: '127.0.0.1' });
  });

  it('keeps an http.Agent from reaching a loopback listener unless the allow list names it', async () => {
    let requests = 0;
    const server = createServer((_req, res) => {
      requests++;
      res.end('ok');
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as AddressInfo;
    const fetchVia = (agent: Agent) =>
      new Promise<string>((done, fail) => {
        get({ host: 'localhost', port, path: '/', agent }, (res) => {
          res.resume();
          res.on('end', () => done(String(res.statusCode)));
        }).on('error', fail);
      });
    try {
      const refused = await fetchVia(new Agent({ lookup: createOutboundGuard().lookup })).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(OutboundRefusedError);
      expect(requests).toBe(0);
      const lookup = createOutboundGuard({ allow: parseOutboundAllowList('localhost') }).lookup;
      expect(await fetchVia(new Agent({ lookup }))).toBe('200');
      expect(requests).toBe(1);
    } finally {
      await new Promise<void>((done) => server.close(() => done()));
    }
  });
});

import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '@driftguard/runtime';

/** git with no user or system configuration, so the host's settings cannot change a test. */
function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      PATH: process.env['PATH'] ?? '',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_AUTHOR_NAME: 'Test',
      GIT_AUTHOR_EMAIL: 'test@example.com',
      GIT_COMMITTER_NAME: 'Test',
      GIT_COMMITTER_EMAIL: 'test@example.com',
    },
  });
}

/** A local git repository (branch main) whose files tests write and commit. */
export class LocalRepo {
  readonly dir: string;

  constructor(parent: string, name = 'infra') {
    this.dir = join(parent, name);
    mkdirSync(this.dir, { recursive: true });
    git(this.dir, 'init', '-q', '-b', 'main');
  }

  write(files: Record<string, string>): this {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(this.dir, path)), { recursive: true });
      writeFileSync(join(this.dir, path), text);
    }
    return this;
  }

  remove(...paths: string[]): this {
    for (const path of paths) git(this.dir, 'rm', '-q', path);
    return this;
  }

  /** A symbolic link in the repository, pointing wherever `target` says (outside it, in tests). */
  symlink(path: string, target: string): this {
    mkdirSync(dirname(join(this.dir, path)), { recursive: true });
    symlinkSync(target, join(this.dir, path));
    return this;
  }

  commit(message: string): string {
    git(this.dir, 'add', '-A');
    git(this.dir, 'commit', '-q', '-m', message);
    return git(this.dir, 'rev-parse', 'HEAD').trim();
  }

  /** A bare copy, for serving over HTTP. */
  bareCopy(parent: string, name: string): string {
    const bare = join(parent, name);
    git(parent, 'clone', '-q', '--bare', this.dir, bare);
    return bare;
  }

  /** Pushes main to a bare copy made by bareCopy. */
  pushTo(bare: string): void {
    git(this.dir, 'push', '-q', bare, 'main');
  }
}

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A logger whose JSON lines land in `lines`. */
export function capturedLogger(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(
        ...chunk
          .toString('utf8')
          .split('\n')
          .filter((l) => l !== ''),
      );
      done();
    },
  });
  return { log: createLogger({ level: 'debug', name: 'ingest', destination }), lines };
}

export interface GitHttpServer {
  url: string;
  port: number;
  /** Authorization headers the server received, one per request */
  authorizations: (string | undefined)[];
  close(): Promise<void>;
}

export interface GitHttpOptions {
  /** runs before each request is answered; the answer waits for it (a slow server) */
  beforeAnswer?: (path: string) => Promise<void>;
}

/**
 * Serves the bare repositories under `root` with git's own smart-HTTP CGI (`git http-backend`) on
 * loopback; every request must carry `requiredAuthorization` (when given).
 */
export async function serveGitOverHttp(
  root: string,
  requiredAuthorization?: string,
  options: GitHttpOptions = {},
): Promise<GitHttpServer> {
  const authorizations: (string | undefined)[] = [];
  const server: Server = createServer((req, res) => {
    authorizations.push(req.headers.authorization);
    const before = options.beforeAnswer?.(req.url ?? '/') ?? Promise.resolve();
    req.pause();
    void before.then(
      () => answer(req, res),
      () => res.destroy(),
    );
  });
  const answer = (req: IncomingMessage, res: ServerResponse) => {
    if (requiredAuthorization !== undefined && req.headers.authorization !== requiredAuthorization) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="git"' }).end();
      req.resume();
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const child = spawn('git', ['http-backend'], {
      env: {
        PATH: process.env['PATH'] ?? '',
        GIT_PROJECT_ROOT: root,
        GIT_HTTP_EXPORT_ALL: '1',
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_CONFIG_NOSYSTEM: '1',
        PATH_INFO: url.pathname,
        QUERY_STRING: url.search.slice(1),
        REQUEST_METHOD: req.method ?? 'GET',
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        ...(req.headers['content-length'] ? { CONTENT_LENGTH: req.headers['content-length'] } : {}),
        HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
        GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
        REMOTE_ADDR: '127.0.0.1',
      },
    });
    req.pipe(child.stdin);
    let head = Buffer.alloc(0);
    let headersSent = false;
    child.stdout.on('data', (chunk: Buffer) => {
      if (headersSent) return void res.write(chunk);
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      const headers: Record<string, string> = {};
      let status = 200;
      for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
        const colon = line.indexOf(':');
        const name = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1).trim();
        if (name === 'status') status = Number.parseInt(value, 10);
        else headers[name] = value;
      }
      res.writeHead(status, headers);
      headersSent = true;
      res.write(head.subarray(end + 4));
    });
    child.stdout.on('end', () => res.end());
    child.on('error', () => res.destroy());
  };
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    authorizations,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}

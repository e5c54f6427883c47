import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './loopback.js';

const run = promisify(execFile);

/**
 * A PostgreSQL cluster of the suite's own: initdb in `dir`, pg_ctl on a free loopback port, so
 * stopping it disturbs nothing else on the machine. Run as root, every pg_ctl call goes through
 * `runuser -u postgres` (initdb refuses root), as .ci/fresh-services does.
 */
export interface PostgresCluster {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  url: string;
  port: number;
  /** `pg_ctl stop -m fast`: open sessions are cut, the server checkpoints and exits. */
  stopFast(): Promise<void>;
  start(): Promise<void>;
  /** Stops the cluster (immediate); its files go with the caller's temporary directory. */
  destroy(): Promise<void>;
}

/** The newest PostgreSQL's bin directory under /usr/lib/postgresql, or undefined. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(a) - Number(b));
  const newest = versions.at(-1);
  return newest === undefined ? undefined : join(root, newest, 'bin');
}

export async function startPostgresCluster(dir: string, bin: string): Promise<PostgresCluster> {
  const asRoot = process.getuid?.() === 0;
  const home = join(dir, 'pg');
  const data = join(home, 'data');
  mkdirSync(home, { recursive: true });
  if (asRoot) {
    // the postgres user must reach the directory and own the cluster's
    chmodSync(dir, 0o755);
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(home, Number(stdout.trim()), Number(gid.trim()));
  }
  const pg = (tool: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]) : run(join(bin, tool), args);

  await pg('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8']);
  const port = await freePort();
  const options = [
    `-p ${port}`,
    '-c listen_addresses=127.0.0.1',
    `-c unix_socket_directories=${home}`,
    '-c max_connections=200',
    '-c fsync=off',
  ].join(' ');
  const start = async () => {
    await pg('pg_ctl', ['-D', data, '-l', join(home, 'server.log'), '-w', '-t', '60', '-o', options, 'start']);
  };
  await start();
  let destroyed = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start,
    async stopFast() {
      await pg('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
    },
    async destroy() {
      if (destroyed) return;
      destroyed = true;
      await pg('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
    },
  };
}

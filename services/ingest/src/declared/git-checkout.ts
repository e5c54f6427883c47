import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { simpleGit } from 'simple-git';
import { basicAuthHeader, redactCredentials, type GitCredentials } from './git-credentials.js';

export type RepositoryUrlKind = 'https' | 'http' | 'ssh' | 'git' | 'local';

export interface CheckoutRequest {
  url: string;
  branch: string;
  credentials?: GitCredentials;
  /** parent of the temporary checkout (default: the OS temp dir) */
  workDir?: string;
  /** allow `file://` URLs and local paths (off in production: a tenant could read the host's repositories) */
  allowLocal: boolean;
  timeoutMs: number;
}

export interface Checkout {
  /** the working tree */
  dir: string;
  /** the checked-out commit */
  commit: string;
  /** removes the checkout; safe to call twice */
  remove(): Promise<void>;
}

/** Thrown for a URL or credentials DriftGuard will not use; retrying cannot help. */
export class CheckoutRefusedError extends Error {
  override readonly name = 'CheckoutRefusedError';
  readonly code = 'checkout_refused';
}

/** How git will reach the URL, or undefined for transports DriftGuard does not use (ext::, fd::, …). */
export function repositoryUrlKind(url: string): RepositoryUrlKind | undefined {
  if (/^https:\/\//i.test(url)) return 'https';
  if (/^http:\/\//i.test(url)) return 'http';
  if (/^ssh:\/\//i.test(url) || /^[\w.-]+@[\w.-]+:(?!\/\/)/.test(url)) return 'ssh';
  if (/^git:\/\//i.test(url)) return 'git';
  if (/^file:\/\//i.test(url) || isAbsolute(url)) return 'local';
  return undefined;
}

/**
 * Shallow-clones one branch into a fresh temporary directory. Credentials travel only in the git
 * child's environment (`GIT_CONFIG_*` → `http.extraHeader`), never in argv, the URL or
 * `.git/config`. The child sees no user or system git configuration, cannot prompt, and checks
 * symlinks out as plain files. Error messages are stripped of the credentials.
 */
export async function checkoutBranch(request: CheckoutRequest): Promise<Checkout> {
  const kind = repositoryUrlKind(request.url);
  if (kind === undefined) throw new CheckoutRefusedError('the repository URL must be https://, ssh://, git:// or user@host:path');
  if (kind === 'local' && !request.allowLocal) throw new CheckoutRefusedError('local repository paths are not allowed on this server');
  if (!/^[\w./+@-]+$/.test(request.branch) || request.branch.startsWith('-') || request.branch.includes('..')) {
    throw new CheckoutRefusedError(`"${request.branch}" is not a branch name git accepts`);
  }
  if (request.credentials && kind !== 'https' && !(kind === 'http' && isLoopback(request.url))) {
    throw new CheckoutRefusedError(`stored token credentials are only sent over https, not to a ${kind} URL`);
  }

  const parent = request.workDir ?? tmpdir();
  await mkdir(parent, { recursive: true });
  const dir = await mkdtemp(join(parent, 'dg-repo-'));
  let removed: Promise<void> | undefined;
  const remove = () => (removed ??= rm(dir, { recursive: true, force: true }));
  try {
    const git = simpleGit({ baseDir: dir, timeout: { block: request.timeoutMs } }).env(gitEnvironment(request, kind));
    await git.clone(request.url, 'tree', ['--depth', '1', '--branch', request.branch, '--single-branch', '--no-tags']);
    const tree = join(dir, 'tree');
    const commit = (await simpleGit({ baseDir: tree, timeout: { block: request.timeoutMs } }).env(gitEnvironment(request, kind)).revparse(['HEAD'])).trim();
    return { dir: tree, commit, remove };
  } catch (err) {
    await remove();
    const message = redactCredentials(err instanceof Error ? err.message : String(err), request.credentials);
    throw new Error(`git clone of branch ${request.branch} failed: ${message.trim()}`);
  }
}

/** Variables the git child keeps from this process: finding programs, proxies, CA bundles, ssh agent. */
const PASSTHROUGH = [
  'PATH',
  'SYSTEMROOT',
  'HTTPS_PROXY',
  'https_proxy',
  'HTTP_PROXY',
  'http_proxy',
  'NO_PROXY',
  'no_proxy',
  'GIT_SSL_CAINFO',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'SSH_AUTH_SOCK',
  'HOME',
];

function gitEnvironment(request: CheckoutRequest, kind: RepositoryUrlKind): Record<string, string> {
  const env: Record<string, string> = {};
  // The child process inherits nothing else, so no stray configuration or credential reaches git.
  for (const name of PASSTHROUGH) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  const config: [string, string][] = [
    ['core.symlinks', 'false'],
    ['credential.helper', ''],
    ['protocol.allow', 'never'],
    ['protocol.https.allow', 'always'],
    ['protocol.http.allow', 'always'],
    ['protocol.ssh.allow', 'always'],
    ['protocol.git.allow', 'always'],
    ['protocol.file.allow', kind === 'local' ? 'always' : 'never'],
  ];
  if (request.credentials) config.push(['http.extraHeader', basicAuthHeader(request.credentials)]);
  config.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = key;
    env[`GIT_CONFIG_VALUE_${i}`] = value;
  });
  return {
    ...env,
    GIT_CONFIG_COUNT: String(config.length),
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: 'true',
    SSH_ASKPASS: 'true',
    GIT_LFS_SKIP_SMUDGE: '1',
    LC_ALL: 'C',
  };
}

function isLoopback(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === 'localhost' || host === '127.0.0.1' || host === '[::1]';
  } catch {
    return false;
  }
}

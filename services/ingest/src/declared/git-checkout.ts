import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  OutboundRefusedError,
  outboundTarget,
  parseIpAddress,
  type OutboundGuard,
  type OutboundTarget,
  type VettedAddress,
} from '@driftguard/runtime';
import { simpleGit } from 'simple-git';
import { basicAuthHeader, redactCredentials, type GitCredentials } from './git-credentials.js';

export interface CheckoutRequest {
  url: string;
  branch: string;
  credentials?: GitCredentials;
  /** parent of the temporary checkout (default: the OS temp dir) */
  workDir?: string;
  /** allow `file://` URLs and local paths (off in production: a tenant could read the host's repositories) */
  allowLocal: boolean;
  /** vets the host after resolution; git then connects to the vetted address only */
  guard: OutboundGuard;
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

/**
 * Shallow-clones one branch into a fresh temporary directory. The host is resolved and vetted
 * first (no loopback, private, link-local or metadata address unless DG_OUTBOUND_ALLOW says so)
 * and git is pinned to the vetted address (`http.curloptResolve`, ssh `HostName`), may use only
 * the URL's own protocol and follows no redirect, so neither DNS rebinding nor a redirect takes
 * it elsewhere. Credentials travel only in the git child's environment (`GIT_CONFIG_*` →
 * `http.extraHeader`), never in argv, the URL or `.git/config`. The child sees no user or system
 * git configuration, cannot prompt, and checks symlinks out as plain files. Error messages are
 * stripped of the credentials, URL userinfo and Authorization headers.
 */
export async function checkoutBranch(request: CheckoutRequest): Promise<Checkout> {
  const target = outboundTarget(request.url);
  if (target === undefined)
    throw new CheckoutRefusedError('the repository URL must be https://, ssh://, git:// or user@host:path');
  if (target.scheme === 'file' && !request.allowLocal)
    throw new CheckoutRefusedError('local repository paths are not allowed on this server');
  if (!/^[\w./+@-]+$/.test(request.branch) || request.branch.startsWith('-') || request.branch.includes('..')) {
    throw new CheckoutRefusedError(`"${request.branch}" is not a branch name git accepts`);
  }
  if (request.credentials && target.scheme !== 'https' && !(target.scheme === 'http' && isLoopbackHost(target.host))) {
    throw new CheckoutRefusedError(`stored token credentials are only sent over https, not to a ${target.scheme} URL`);
  }
  // git runs core.sshCommand through a shell: only a plain host name or address goes into it.
  if (target.scheme === 'ssh' && !/^[a-z0-9.:-]+$/.test(target.host))
    throw new CheckoutRefusedError(`"${target.host}" is not a host name DriftGuard connects to over ssh`);
  const vetted = target.scheme === 'file' ? undefined : await vet(request.guard, target);

  const parent = request.workDir ?? tmpdir();
  await mkdir(parent, { recursive: true });
  const dir = await mkdtemp(join(parent, 'dg-repo-'));
  let removed: Promise<void> | undefined;
  const remove = () => (removed ??= rm(dir, { recursive: true, force: true }));
  try {
    const env = gitEnvironment(request, target, vetted);
    const git = simpleGit({ baseDir: dir, timeout: { block: request.timeoutMs } }).env(env);
    await git.clone(pinnedUrl(request.url, target, vetted), 'tree', [
      '--depth',
      '1',
      '--branch',
      request.branch,
      '--single-branch',
      '--no-tags',
    ]);
    const tree = join(dir, 'tree');
    const commit = (
      await simpleGit({ baseDir: tree, timeout: { block: request.timeoutMs } })
        .env(env)
        .revparse(['HEAD'])
    ).trim();
    return { dir: tree, commit, remove };
  } catch (err) {
    await remove();
    const message = redactCredentials(err instanceof Error ? err.message : String(err), request.credentials);
    // The cause is left off on purpose: its message may carry credentials; this one is redacted.
    // eslint-disable-next-line preserve-caught-error
    throw new Error(`git clone of branch ${request.branch} failed: ${message.trim()}`);
  }
}

/** The guard's verdict: a refusal is final; a name that does not resolve now may later. */
async function vet(guard: OutboundGuard, target: OutboundTarget): Promise<VettedAddress> {
  try {
    return await guard.resolve(target);
  } catch (err) {
    if (err instanceof OutboundRefusedError && err.reason !== 'unresolved')
      throw new CheckoutRefusedError(err.message, { cause: err });
    throw new Error(`git clone failed: ${(err as Error).message}`, { cause: err });
  }
}

/** git:// has no resolve option: its URL names the vetted address itself (the daemon ignores the host). */
function pinnedUrl(url: string, target: OutboundTarget, vetted: VettedAddress | undefined): string {
  if (target.scheme !== 'git' || vetted === undefined) return url;
  const host = vetted.family === 6 ? `[${vetted.address}]` : vetted.address;
  return `git://${host}:${vetted.port}${new URL(url.replace(/^git:/i, 'http:')).pathname}`;
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

function gitEnvironment(
  request: CheckoutRequest,
  target: OutboundTarget,
  vetted: VettedAddress | undefined,
): Record<string, string> {
  const env: Record<string, string> = {};
  // The child process inherits nothing else, so no stray configuration or credential reaches git.
  for (const name of PASSTHROUGH) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  // Only the URL's own protocol: no submodule, redirect or alternate may switch to another.
  const config: [string, string][] = [
    ['core.symlinks', 'false'],
    ['credential.helper', ''],
    ['protocol.allow', 'never'],
    [`protocol.${target.scheme}.allow`, 'always'],
    ['http.followRedirects', 'false'],
  ];
  // An IP literal needs no pin: nothing is resolved.
  if (vetted !== undefined && parseIpAddress(target.host) === undefined) {
    const address = vetted.family === 6 ? `[${vetted.address}]` : vetted.address;
    if (target.scheme === 'https' || target.scheme === 'http')
      config.push(['http.curloptResolve', `${target.host}:${target.port}:${address}`]);
    if (target.scheme === 'ssh') {
      config.push(['core.sshCommand', `ssh -o HostName=${vetted.address} -o HostKeyAlias=${target.host}`]);
    }
  }
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
    GIT_ALLOW_PROTOCOL: target.scheme,
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: 'true',
    SSH_ASKPASS: 'true',
    GIT_LFS_SKIP_SMUDGE: '1',
    LC_ALL: 'C',
  };
}

/** Plain http may carry credentials only to this host (a loopback the allow list opened). */
function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '127.0.0.1' || host === '::1';
}

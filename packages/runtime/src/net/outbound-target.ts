import { isAbsolute } from 'node:path';

export type OutboundScheme = 'https' | 'http' | 'ssh' | 'git' | 'file';

/** Where a URL would make DriftGuard connect. `file` targets have no host. */
export interface OutboundTarget {
  scheme: OutboundScheme;
  /** lower-case host name, or the IP literal as the WHATWG URL parser normalizes it (IPv6 without brackets) */
  host: string;
  port: number;
}

const DEFAULT_PORT: Record<Exclude<OutboundScheme, 'file'>, number> = { https: 443, http: 80, ssh: 22, git: 9418 };

/** `user@host:path` / `host:path` (git's scp-like syntax; `[v6]:path` too), not `scheme://` or `helper::address`. */
const SCP_LIKE = /^(?:[^@/\s]+@)?(\[[^\]]+\]|[^:/\s]+):(?!\/\/|:)/;

/**
 * What `url` would connect to, or undefined when it is not a URL form DriftGuard uses (ext::,
 * fd::, relative paths, unknown schemes). Host names go through the WHATWG URL parser, so the
 * numeric IPv4 forms (`2130706433`, `0x7f.1`, `0177.0.0.1`) come back as the dotted address
 * they name and `[::ffff:127.0.0.1]` as its IPv6 form.
 */
export function outboundTarget(url: string): OutboundTarget | undefined {
  if (/^file:/i.test(url) || isAbsolute(url)) return { scheme: 'file', host: '', port: 0 };
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (scheme !== undefined) {
    if (scheme !== 'https' && scheme !== 'http' && scheme !== 'ssh' && scheme !== 'git') return undefined;
    return hostAndPort(scheme, url);
  }
  const scp = SCP_LIKE.exec(url);
  if (scp?.[1] === undefined) return undefined;
  return hostAndPort('ssh', `ssh://${scp[1]}/`);
}

function hostAndPort(scheme: Exclude<OutboundScheme, 'file'>, url: string): OutboundTarget | undefined {
  let parsed: URL;
  let port: string;
  try {
    // ssh:// and git:// are opaque to the WHATWG parser; as http:// their host gets the same
    // normalization. Read as https:// too, so an explicit :80 (http's default, dropped) is seen.
    parsed = new URL(scheme === 'ssh' || scheme === 'git' ? url.replace(/^[a-z]+:/i, 'http:') : url);
    port = parsed.port || (scheme === 'http' ? '' : new URL(url.replace(/^[a-z]+:/i, 'https:')).port);
  } catch {
    return undefined;
  }
  const raw = parsed.hostname.toLowerCase().replace(/\.$/, '');
  if (raw === '') return undefined;
  const host = raw.startsWith('[') ? raw.slice(1, -1) : raw;
  return { scheme, host, port: port === '' ? DEFAULT_PORT[scheme] : Number(port) };
}

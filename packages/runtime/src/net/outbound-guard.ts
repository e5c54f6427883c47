import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import { blockedAddressClass, describeAddressClass, parseIpAddress, type BlockedAddressClass } from './address-class.js';
import { allowsAddress, allowsHost, type OutboundAllowList } from './outbound-allow.js';
import { outboundTarget, type OutboundScheme, type OutboundTarget } from './outbound-target.js';

export type OutboundRefusalReason = BlockedAddressClass | 'internal_name' | 'scheme' | 'local' | 'unresolved';

/** Thrown for a target DriftGuard will not connect to; retrying cannot help (except `unresolved`). */
export class OutboundRefusedError extends Error {
  override readonly name = 'OutboundRefusedError';
  readonly code = 'outbound_refused';

  constructor(
    readonly reason: OutboundRefusalReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A vetted address to connect to, and the name it was resolved from. */
export interface VettedAddress {
  host: string;
  port: number;
  address: string;
  family: 4 | 6;
}

export type OutboundLookup = (host: string) => Promise<{ address: string; family: number }[]>;

export interface OutboundGuardOptions {
  /** exceptions (`DG_OUTBOUND_ALLOW`), e.g. loopback for tests or an internal git server */
  allow?: OutboundAllowList;
  /** resolves names (default: the system resolver, every address) */
  lookup?: OutboundLookup;
}

export interface OutboundGuard {
  /**
   * Checks what can be known without DNS: scheme, IP literals in every spelling, and names that
   * always mean this host or the internal network (`localhost`, `*.internal`, metadata names).
   * Registration of a URL calls it; `file` targets are refused unless `allowLocal`.
   */
  checkUrl(url: string, options: { schemes: readonly OutboundScheme[]; allowLocal?: boolean }): OutboundTarget;
  /**
   * Resolves the target's host and checks every address it resolves to (one bad address refuses
   * the lot, so a round-robin answer cannot slip one through). Connect to the returned address,
   * and only to it: a second resolution may answer differently (DNS rebinding).
   */
  resolve(target: OutboundTarget): Promise<VettedAddress>;
  /**
   * A `lookup` for `http.Agent`/`net.connect` that applies the same checks at connect time
   * (a lookup does not know the port: only port-less allow entries apply).
   */
  lookup: LookupFunction;
}

/** Names that resolve to this host, the cloud metadata service or the internal network. */
const INTERNAL_NAMES = new Set([
  'localhost',
  'localhost.localdomain',
  'metadata',
  'metadata.google.internal',
  'instance-data',
  'metadata.azure.internal',
]);
const INTERNAL_SUFFIXES = ['.localhost', '.internal', '.local', '.localdomain', '.home.arpa'];

/**
 * The one guard of every outbound request DriftGuard makes (git now; webhooks and notification
 * channels use `lookup`). Only public unicast addresses are reached, apart from `allow`.
 */
export function createOutboundGuard(options: OutboundGuardOptions = {}): OutboundGuard {
  const allow = options.allow ?? [];
  const resolveAll = options.lookup ?? ((host: string) => dnsLookup(host, { all: true, verbatim: true }));

  const refuseAddress = (host: string, port: number, text: string): void => {
    const address = parseIpAddress(text);
    if (address === undefined)
      throw new OutboundRefusedError('unresolved', `${host} resolved to "${text}", which is not an IP address`);
    if (allowsAddress(allow, address, port)) return;
    const cls = blockedAddressClass(address);
    if (cls === undefined) return;
    const via = host === text ? '' : ` (${host} resolves to it)`;
    throw new OutboundRefusedError(
      cls,
      `${address.toString()} is ${describeAddressClass(cls)}${via}; DriftGuard does not connect there (DG_OUTBOUND_ALLOW lists exceptions)`,
    );
  };

  const checkHost = (target: OutboundTarget): void => {
    if (allowsHost(allow, target.host, target.port)) return;
    if (parseIpAddress(target.host) !== undefined) return refuseAddress(target.host, target.port, target.host);
    if (INTERNAL_NAMES.has(target.host) || INTERNAL_SUFFIXES.some((s) => target.host.endsWith(s))) {
      throw new OutboundRefusedError(
        'internal_name',
        `${target.host} names this host or an internal network; DriftGuard does not connect there (DG_OUTBOUND_ALLOW lists exceptions)`,
      );
    }
  };

  const resolve = async (target: OutboundTarget): Promise<VettedAddress> => {
    checkHost(target);
    const literal = parseIpAddress(target.host);
    let answers: { address: string; family: number }[];
    try {
      answers = literal
        ? [{ address: literal.toString(), family: literal.kind() === 'ipv4' ? 4 : 6 }]
        : await resolveAll(target.host);
    } catch (err) {
      throw new OutboundRefusedError('unresolved', `${target.host} does not resolve: ${(err as Error).message}`, { cause: err });
    }
    if (answers.length === 0) throw new OutboundRefusedError('unresolved', `${target.host} does not resolve to any address`);
    const hostAllowed = allowsHost(allow, target.host, target.port);
    if (!hostAllowed) for (const answer of answers) refuseAddress(target.host, target.port, answer.address);
    const first = answers[0]!;
    const address = parseIpAddress(first.address)!.toString();
    return { host: target.host, port: target.port, address, family: address.includes(':') ? 6 : 4 };
  };

  return {
    checkUrl(url, { schemes, allowLocal = false }) {
      const target = outboundTarget(url);
      if (target === undefined)
        throw new OutboundRefusedError(
          'scheme',
          `"${redactUrl(url)}" is not a URL form DriftGuard connects to (${schemes.filter((s) => s !== 'file').join(', ')})`,
        );
      if (target.scheme === 'file') {
        if (!allowLocal)
          throw new OutboundRefusedError(
            'local',
            'local repository paths and file:// URLs are not allowed on this server (DG_REPO_ALLOW_LOCAL)',
          );
        return target;
      }
      if (!schemes.includes(target.scheme))
        throw new OutboundRefusedError('scheme', `${target.scheme} URLs are not accepted here (only ${schemes.join(', ')})`);
      checkHost(target);
      return target;
    },
    resolve,
    lookup: (hostname, lookupOptions, callback) => {
      resolve({ scheme: 'https', host: hostname.toLowerCase().replace(/\.$/, ''), port: 0 }).then(
        (vetted) => {
          if (lookupOptions.all) callback(null, [{ address: vetted.address, family: vetted.family }]);
          else callback(null, vetted.address, vetted.family);
        },
        (err: unknown) => callback(err instanceof Error ? err : new Error(String(err)), '', 4),
      );
    },
  };
}

/** The URL with any userinfo removed, for messages. */
function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1***@');
}

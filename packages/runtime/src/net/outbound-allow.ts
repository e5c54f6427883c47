import ipaddr from 'ipaddr.js';
import { z } from 'zod';

/** One exception to the outbound guard: an address range or a host name, optionally one port only. */
export type OutboundAllowEntry =
  | { kind: 'range'; range: [ipaddr.IPv4 | ipaddr.IPv6, number]; port?: number; text: string }
  | { kind: 'host'; host: string; port?: number; text: string };

export type OutboundAllowList = readonly OutboundAllowEntry[];

/**
 * Reads `DG_OUTBOUND_ALLOW`: comma-separated `address`, `address/bits`, `address:port`,
 * `[v6]:port`, `host` or `host:port`. Throws a RangeError naming the first entry it cannot read.
 */
export function parseOutboundAllowList(text: string): OutboundAllowEntry[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(parseEntry);
}

function parseEntry(text: string): OutboundAllowEntry {
  let host = text;
  let port: number | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  const hostPort = /^([^:]+):(\d+)$/.exec(text);
  if (bracketed) {
    host = bracketed[1] ?? '';
    port = bracketed[2] === undefined ? undefined : Number(bracketed[2]);
  } else if (hostPort) {
    host = hostPort[1] ?? '';
    port = Number(hostPort[2]);
  }
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535))
    throw new RangeError(`"${text}": port must be 1-65535`);
  const withPort = port === undefined ? {} : { port };
  if (ipaddr.isValidCIDR(host)) return { kind: 'range', range: ipaddr.parseCIDR(host), ...withPort, text };
  if (ipaddr.IPv4.isValidFourPartDecimal(host) || ipaddr.IPv6.isValid(host)) {
    const address = ipaddr.process(host);
    return { kind: 'range', range: [address, address.kind() === 'ipv4' ? 32 : 128], ...withPort, text };
  }
  if (/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i.test(host))
    return { kind: 'host', host: host.toLowerCase(), ...withPort, text };
  throw new RangeError(`"${text}" is not an address, address/bits, host or host:port`);
}

/** True when an entry lets DriftGuard reach `address` on `port`. */
export function allowsAddress(list: OutboundAllowList, address: ipaddr.IPv4 | ipaddr.IPv6, port: number): boolean {
  return list.some(
    (e) =>
      e.kind === 'range' &&
      e.range[0].kind() === address.kind() &&
      address.match(e.range) &&
      (e.port === undefined || e.port === port),
  );
}

/** True when an entry names `host` (any address it resolves to is then accepted). */
export function allowsHost(list: OutboundAllowList, host: string, port: number): boolean {
  return list.some((e) => e.kind === 'host' && e.host === host && (e.port === undefined || e.port === port));
}

/** The zod variable of `DG_OUTBOUND_ALLOW` (empty: no exceptions). */
export function outboundAllowVar() {
  return z
    .string()
    .default('')
    .transform((value, ctx) => {
      try {
        return parseOutboundAllowList(value);
      } catch (err) {
        ctx.issues.push({ code: 'custom', message: (err as Error).message, input: value });
        return z.NEVER;
      }
    });
}

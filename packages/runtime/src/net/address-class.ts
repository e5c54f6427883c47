import ipaddr from 'ipaddr.js';

/** Why an address is not a public unicast one. */
export type BlockedAddressClass = 'loopback' | 'private' | 'link_local' | 'unspecified' | 'shared' | 'multicast' | 'reserved';

/** ipaddr.js range names → the class named in refusals; every range but `unicast` is blocked. */
const CLASS_OF_RANGE: Record<string, BlockedAddressClass> = {
  loopback: 'loopback',
  private: 'private',
  uniqueLocal: 'private',
  linkLocal: 'link_local',
  unspecified: 'unspecified',
  carrierGradeNat: 'shared',
  multicast: 'multicast',
  broadcast: 'reserved',
};

const IPV4_COMPATIBLE = ipaddr.parseCIDR('::/96');

/** A parsed IP address, IPv4-mapped IPv6 (`::ffff:127.0.0.1`) turned into the IPv4 it names. */
export function parseIpAddress(text: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  // ipaddr.js also reads shorthand IPv4 forms; only the canonical ones a resolver returns are wanted here.
  if (!ipaddr.IPv6.isValid(bare) && !ipaddr.IPv4.isValidFourPartDecimal(bare)) return undefined;
  return ipaddr.process(bare);
}

/**
 * The class that makes `address` unfit for an outbound request, or undefined for a public unicast
 * address. Everything ipaddr.js does not call `unicast` is refused: loopback, RFC 1918 and ULA,
 * link-local (which holds the cloud metadata service, 169.254.169.254 and fd00:ec2::254 aside),
 * carrier-grade NAT, unspecified, multicast, and the reserved, documentation and translation
 * ranges (NAT64, 6to4, Teredo embed IPv4 addresses that could be internal ones).
 */
export function blockedAddressClass(address: ipaddr.IPv4 | ipaddr.IPv6): BlockedAddressClass | undefined {
  const range = address.range();
  // IPv4-compatible IPv6 (`::127.0.0.1`, deprecated) embeds an IPv4 address ipaddr.js calls unicast.
  if (range === 'unicast' && address.kind() === 'ipv6' && address.match(IPV4_COMPATIBLE)) return 'reserved';
  if (range === 'unicast') return undefined;
  return CLASS_OF_RANGE[range] ?? 'reserved';
}

/** Human words for a class, for refusal messages. */
export function describeAddressClass(cls: BlockedAddressClass): string {
  switch (cls) {
    case 'loopback':
      return 'a loopback address';
    case 'private':
      return 'a private-network address';
    case 'link_local':
      return 'a link-local address (cloud metadata lives there)';
    case 'unspecified':
      return 'the unspecified address';
    case 'shared':
      return 'a shared (carrier-grade NAT) address';
    case 'multicast':
      return 'a multicast address';
    case 'reserved':
      return 'a reserved or special-purpose address';
    default: {
      const unknown: never = cls;
      return String(unknown);
    }
  }
}

import { parseOutboundAllowList, type OutboundLookup } from '@driftguard/runtime';
import type { ProviderRef, SendContext } from '../../src/channels/channel.js';
import { createChannelNetwork, type ChannelNetwork } from '../../src/channels/outbound-http.js';

/**
 * The channel network as tests need it: loopback allowed (`DG_OUTBOUND_ALLOW=127.0.0.1`, as an
 * operator would for a local relay) and `names` resolved to chosen addresses; everything else
 * goes through the same guard as in production.
 */
export function loopbackNetwork(
  names: Record<string, string> = {},
  options: { allow?: string; timeoutMs?: number } = {},
): ChannelNetwork {
  const lookup: OutboundLookup = async (host) => {
    const address = names[host];
    if (address === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return [{ address, family: address.includes(':') ? 6 : 4 }];
  };
  return createChannelNetwork({
    allow: parseOutboundAllowList(options.allow ?? '127.0.0.1'),
    lookup,
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
}

/** A SendContext over `network`, with what an earlier delivery returned. */
export function sendContext(network: ChannelNetwork, previous?: ProviderRef): SendContext {
  return {
    fetch: network.fetch,
    outbound: network.guard,
    signal: new AbortController().signal,
    ...(previous ? { previous } : {}),
  };
}

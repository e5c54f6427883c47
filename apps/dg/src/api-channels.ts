import type { ChannelAdapters } from '@driftguard/api';
import { parseKeyring } from '@driftguard/db';
import { channelAdapters, sendChannelTest } from '@driftguard/notifier';
import type { OutboundAllowList } from '@driftguard/runtime';

/**
 * The notifier's channel adapters as the api uses them: channel configuration validated with the
 * schemas the notifier delivers with, and "send test" through the same adapter as `dg channel test`.
 */
export function apiChannelAdapters(cfg: {
  DG_MASTER_KEY?: string | undefined;
  DG_OUTBOUND_ALLOW: OutboundAllowList;
}): ChannelAdapters {
  const keyring = cfg.DG_MASTER_KEY ? parseKeyring(cfg.DG_MASTER_KEY) : undefined;
  return {
    validate: (type) => ({ schema: channelAdapters[type].config, secretFields: channelAdapters[type].secretFields }),
    async sendTest(db, channelId) {
      const r = await sendChannelTest(db, { channelId, keyring, allow: cfg.DG_OUTBOUND_ALLOW });
      return r.ok
        ? { ok: true, status: r.status, retryable: false, detail: null }
        : { ok: false, status: r.status ?? null, retryable: r.retryable, detail: r.error };
    },
  };
}

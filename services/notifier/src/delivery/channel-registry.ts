import type { ChannelType } from '@driftguard/contracts';
import type { Alert, ChannelAdapter, SendContext, SendResult } from '../channels/channel.js';

/** An adapter with its configuration type hidden: the stored configuration is parsed by the adapter's own schema. */
export interface RegisteredAdapter {
  type: ChannelType;
  secretFields: readonly string[];
  /** validates a configuration (throws the zod error naming the bad fields) */
  parseConfig(raw: unknown): unknown;
  send(rawConfig: unknown, alert: Alert, ctx: SendContext): Promise<SendResult>;
}

export function registerAdapter<C>(adapter: ChannelAdapter<C>): RegisteredAdapter {
  return {
    type: adapter.type,
    secretFields: adapter.secretFields,
    parseConfig: (raw) => adapter.config.parse(raw),
    send: (rawConfig, alert, ctx) => adapter.send(adapter.config.parse(rawConfig), alert, ctx),
  };
}

/** The adapters a notifier sends through, by channel type. */
export type AdapterRegistry = ReadonlyMap<ChannelType, RegisteredAdapter>;

export function adapterRegistry(adapters: readonly RegisteredAdapter[]): AdapterRegistry {
  return new Map(adapters.map((a) => [a.type, a]));
}

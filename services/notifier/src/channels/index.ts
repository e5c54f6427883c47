import type { ChannelType } from '@driftguard/contracts';
import type { Alert, ChannelAdapter, SendContext, SendResult } from './channel.js';
import { emailChannel, type EmailConfig } from './email.channel.js';
import { pagerDutyChannel, type PagerDutyConfig } from './pagerduty.channel.js';
import { slackChannel, type SlackConfig } from './slack.channel.js';
import { webhookChannel, type WebhookConfig } from './webhook.channel.js';

export type * from './channel.js';
export { createChannelNetwork, CHANNEL_TIMEOUT_MS, type ChannelNetwork, type ChannelNetworkOptions } from './outbound-http.js';
export { retryAfterMs } from './send-result.js';
export { emailChannel, EmailConfig } from './email.channel.js';
export { pagerDutyChannel, PagerDutyConfig, dedupKeyOf } from './pagerduty.channel.js';
export { slackChannel, SlackConfig } from './slack.channel.js';
export { SLACK_ACTION, SLACK_LIMITS, slackMessage } from './slack-blocks.js';
export { webhookChannel, WebhookConfig } from './webhook.channel.js';

/** The configuration of each channel type. */
export interface ChannelConfigs {
  email: EmailConfig;
  pagerduty: PagerDutyConfig;
  slack: SlackConfig;
  webhook: WebhookConfig;
}

/** Every adapter by channel type. */
export const channelAdapters: { [K in ChannelType]: ChannelAdapter<ChannelConfigs[K]> } = {
  email: emailChannel,
  pagerduty: pagerDutyChannel,
  slack: slackChannel,
  webhook: webhookChannel,
};

/** The configuration keys of a channel type that hold secrets (stored encrypted, never returned). */
export function secretFieldsOf(type: ChannelType): readonly string[] {
  return channelAdapters[type].secretFields;
}

/** A stored configuration checked against its type's schema (zod's error names each bad field). */
export function parseChannelConfig<K extends ChannelType>(type: K, config: unknown): ChannelConfigs[K] {
  const adapter: ChannelAdapter<ChannelConfigs[K]> = channelAdapters[type];
  return adapter.config.parse(config);
}

/**
 * Validates `config` for `type` and sends `alert` through that adapter. A configuration that does
 * not parse is a non-retryable failure naming the fields at fault (never their values).
 */
export async function sendThroughChannel(
  type: ChannelType,
  config: unknown,
  alert: Alert,
  ctx: SendContext,
): Promise<SendResult> {
  switch (type) {
    case 'email':
      return sendParsed(emailChannel, config, alert, ctx);
    case 'pagerduty':
      return sendParsed(pagerDutyChannel, config, alert, ctx);
    case 'slack':
      return sendParsed(slackChannel, config, alert, ctx);
    case 'webhook':
      return sendParsed(webhookChannel, config, alert, ctx);
    default: {
      const unknown: never = type;
      return { ok: false, retryable: false, error: `unknown channel type ${String(unknown)}` };
    }
  }
}

async function sendParsed<C>(adapter: ChannelAdapter<C>, config: unknown, alert: Alert, ctx: SendContext): Promise<SendResult> {
  const parsed = adapter.config.safeParse(config);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    return { ok: false, retryable: false, error: `invalid ${adapter.type} configuration: ${fields}` };
  }
  return adapter.send(parsed.data, alert, ctx);
}

import { z } from 'zod';
import type { Alert, ChannelAdapter, SendContext, SendResult } from './channel.js';
import { bodyExcerpt, httpFailure, networkFailure, retryAfterMs } from './send-result.js';
import { slackMessage, type SlackMessage } from './slack-blocks.js';

/** An incoming webhook: one fixed channel, no message to edit later. The URL is the secret. */
const SlackWebhookConfig = z.strictObject({
  webhookUrl: z.url({ protocol: /^https?$/ }),
});

/** A bot token (`chat:write`) and a channel: messages are posted with chat.postMessage and later edited with chat.update. */
const SlackBotConfig = z.strictObject({
  botToken: z.string().regex(/^xox[bp]-[A-Za-z0-9-]+$/, { error: 'must be a Slack bot token (xoxb-…)' }),
  channel: z.string().min(1).max(80),
  /** Slack's Web API; another base only for a test peer */
  apiBaseUrl: z.url({ protocol: /^https?$/ }).default('https://slack.com/api'),
});

export const SlackConfig = z.union([SlackBotConfig, SlackWebhookConfig]);
export type SlackConfig = z.infer<typeof SlackConfig>;

/** Web API errors worth another try (docs.slack.dev/apis/web-api: rate limits and transient failures). */
const RETRYABLE_API_ERRORS = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout']);
/** chat.update errors after which a new message is posted instead (the original is gone or too old to edit). */
const REPOST_ERRORS = new Set(['message_not_found', 'cant_update_message', 'edit_window_closed', 'channel_not_found']);
const EDITS = new Set<Alert['action']>(['update', 'resolve', 'reminder']);

const ApiAnswer = z.looseObject({
  ok: z.boolean(),
  error: z.string().optional(),
  channel: z.string().optional(),
  ts: z.string().optional(),
});

async function sendWebhook(url: string, message: SlackMessage, ctx: SendContext): Promise<SendResult> {
  let res: Response;
  try {
    res = await ctx.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ ...message, unfurl_links: false, unfurl_media: false }),
      signal: ctx.signal,
    });
  } catch (err) {
    return networkFailure(err);
  }
  const body = await res.text();
  // Slack answers `ok`; errors are a bare code such as `invalid_payload` or `channel_not_found`.
  if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
  return httpFailure(res, bodyExcerpt(body) || `HTTP ${res.status}`);
}

async function callApi(
  config: z.infer<typeof SlackBotConfig>,
  method: 'chat.postMessage' | 'chat.update',
  payload: object,
  ctx: SendContext,
): Promise<SendResult> {
  let res: Response;
  try {
    res = await ctx.fetch(`${config.apiBaseUrl.replace(/\/$/, '')}/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', authorization: `Bearer ${config.botToken}` },
      body: JSON.stringify(payload),
      signal: ctx.signal,
    });
  } catch (err) {
    return networkFailure(err);
  }
  const text = await res.text();
  if (res.status !== 200) return httpFailure(res, bodyExcerpt(text) || `HTTP ${res.status}`);
  let answer: z.infer<typeof ApiAnswer>;
  try {
    answer = ApiAnswer.parse(JSON.parse(text));
  } catch {
    return { ok: false, retryable: true, status: res.status, error: `unreadable ${method} answer: ${bodyExcerpt(text, 120)}` };
  }
  if (!answer.ok) {
    const error = answer.error ?? 'unknown_error';
    const wait = retryAfterMs(res.headers.get('retry-after'));
    return {
      ok: false,
      retryable: RETRYABLE_API_ERRORS.has(error),
      status: res.status,
      error: `${method}: ${error}`,
      ...(wait !== undefined ? { retryAfterMs: wait } : {}),
    };
  }
  if (answer.channel === undefined || answer.ts === undefined)
    return { ok: false, retryable: true, status: res.status, error: `${method} answered ok without channel and ts` };
  return { ok: true, status: res.status, providerRef: { channel: answer.channel, ts: answer.ts } };
}

/**
 * Slack: a Block Kit message through an incoming webhook, or with a bot token through
 * chat.postMessage, where an update, resolution or reminder edits the message first posted under
 * the same key (chat.update with the stored channel and ts). 429 and Slack's transient errors
 * are retried (Retry-After honoured); `invalid_payload`, `channel_not_found` and the like are not.
 */
export const slackChannel: ChannelAdapter<SlackConfig> = {
  type: 'slack',
  config: SlackConfig,
  secretFields: ['webhookUrl', 'botToken'],
  async send(config, alert, ctx) {
    const message = slackMessage(alert);
    if ('webhookUrl' in config) return sendWebhook(config.webhookUrl, message, ctx);
    const prev = ctx.previous;
    if (EDITS.has(alert.action) && prev?.['channel'] && prev['ts']) {
      const updated = await callApi(config, 'chat.update', { channel: prev['channel'], ts: prev['ts'], ...message }, ctx);
      if (updated.ok || !REPOST_ERRORS.has(updated.error.replace(/^chat\.update: /, ''))) return updated;
    }
    return callApi(
      config,
      'chat.postMessage',
      { channel: config.channel, ...message, unfurl_links: false, unfurl_media: false },
      ctx,
    );
  },
};

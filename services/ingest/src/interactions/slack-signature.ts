import { createHmac, timingSafeEqual } from 'node:crypto';

/** Slack refuses requests older than five minutes to stop replays (docs: verifying requests from Slack). */
export const SLACK_TIMESTAMP_TOLERANCE_S = 5 * 60;

export type SlackSignatureCheck = 'valid' | 'stale' | 'mismatch';

/** `X-Slack-Request-Timestamp` within five minutes of `nowS`, either side. */
export function slackTimestampFresh(timestamp: string | undefined, nowS: number): boolean {
  if (timestamp === undefined || !/^\d{1,12}$/.test(timestamp)) return false;
  return Math.abs(nowS - Number(timestamp)) <= SLACK_TIMESTAMP_TOLERANCE_S;
}

/** `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<raw body>` with the app's signing secret. */
export function slackSignature(secret: Buffer | string, timestamp: string, raw: Buffer): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:`).update(raw).digest('hex')}`;
}

/**
 * Checks Slack's request signature (`X-Slack-Signature: v0=<hex>`) over the exact bytes
 * received, compared in constant time, and that the signed timestamp is fresh.
 */
export function checkSlackSignature(
  secret: Buffer,
  timestamp: string | undefined,
  signature: string | undefined,
  raw: Buffer,
  nowS = Math.floor(Date.now() / 1000),
): SlackSignatureCheck {
  if (timestamp === undefined || !slackTimestampFresh(timestamp, nowS)) return 'stale';
  if (signature === undefined || !/^v0=[0-9a-f]{64}$/i.test(signature)) return 'mismatch';
  const expected = Buffer.from(slackSignature(secret, timestamp, raw).slice(3), 'hex');
  return timingSafeEqual(Buffer.from(signature.slice(3), 'hex'), expected) ? 'valid' : 'mismatch';
}

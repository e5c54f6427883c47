import { z } from 'zod';

/**
 * The interactive buttons of DriftGuard's Slack messages: the notifier writes them, ingest's
 * `POST /v1/interactions/slack` reads them back. Each button's `value` is the JSON of its schema.
 */
export const SLACK_ACTION = {
  acknowledge: 'dg.acknowledge',
  accept: 'dg.accept_recommendation',
  silence: 'dg.silence_24h',
} as const;

const id = z.number().int().positive();
/** `value` of the acknowledge and silence buttons. */
export const SlackDriftButton = z.object({ driftEventId: id, notificationId: id.optional() });
export type SlackDriftButton = z.infer<typeof SlackDriftButton>;
/** `value` of the accept-recommendation button. */
export const SlackAcceptButton = z.object({ recommendationId: id, driftEventId: id });
export type SlackAcceptButton = z.infer<typeof SlackAcceptButton>;

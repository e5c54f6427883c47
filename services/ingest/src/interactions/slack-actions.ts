import type { CmdNotificationAcknowledgeV1, CmdRecommendationRespondV1, CmdSilenceCreateV1 } from '@driftguard/contracts';
import { z } from 'zod';

/**
 * The buttons of DriftGuard's Slack messages, as the notifier writes them
 * (services/notifier/src/channels/slack-blocks.ts, SLACK_ACTION): keep both in step.
 */
export const SLACK_ACTION = {
  acknowledge: 'dg.acknowledge',
  accept: 'dg.accept_recommendation',
  silence: 'dg.silence_24h',
} as const;

export const SILENCE_HOURS = 24;

const id = z.number().int().positive();
const DriftButton = z.object({ driftEventId: id, notificationId: id.optional() });
const AcceptButton = z.object({ recommendationId: id, driftEventId: id });

/** The part of a `block_actions` payload DriftGuard reads (docs.slack.dev/reference/interaction-payloads/block_actions-payload). */
export const SlackBlockActions = z.looseObject({
  type: z.literal('block_actions'),
  team: z.looseObject({ id: z.string().min(1), domain: z.string().optional() }).nullable(),
  user: z.looseObject({ id: z.string().min(1), username: z.string().optional(), name: z.string().optional() }),
  actions: z
    .array(
      z.looseObject({
        action_id: z.string().min(1).max(255),
        block_id: z.string().max(255).optional(),
        value: z.string().max(2000).optional(),
        action_ts: z.string().min(1).max(40),
      }),
    )
    .max(25),
});
export type SlackBlockActions = z.infer<typeof SlackBlockActions>;

/** Other interaction types carry only their `type` for DriftGuard (shortcuts, modals: not used). */
export const SlackInteraction = z.union([SlackBlockActions, z.looseObject({ type: z.string() })]);

/** A command one button press turns into, with the id that makes a repeated delivery a duplicate. */
export type SlackCommand =
  | { key: 'cmd.notification.acknowledge.v1'; data: CmdNotificationAcknowledgeV1['data']; sourceId: string }
  | { key: 'cmd.recommendation.respond.v1'; data: CmdRecommendationRespondV1['data']; sourceId: string }
  | { key: 'cmd.silence.create.v1'; data: CmdSilenceCreateV1['data']; sourceId: string };

/** `slack:<team>/<user> (<name>)`: who pressed, as commands record actors. */
export function slackActor(payload: SlackBlockActions): string {
  const name = payload.user.username ?? payload.user.name;
  const who = `slack:${payload.team?.id ?? '-'}/${payload.user.id}${name ? ` (${name})` : ''}`;
  return who.slice(0, 255);
}

function buttonValue<T>(schema: z.ZodType<T>, value: string | undefined): T | undefined {
  if (value === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

/**
 * The commands of a `block_actions` payload, the same the API would send: acknowledge →
 * cmd.notification.acknowledge.v1, accept → cmd.recommendation.respond.v1 (accept), silence →
 * cmd.silence.create.v1 matching the drift for 24 hours. Actions that are not DriftGuard's, or
 * whose value does not read, are skipped (and counted by the caller).
 */
export function slackCommands(payload: SlackBlockActions, now: Date): SlackCommand[] {
  const actor = slackActor(payload);
  const out: SlackCommand[] = [];
  for (const action of payload.actions) {
    const sourceId = `${payload.team?.id ?? '-'}:${payload.user.id}:${action.action_ts}:${action.action_id}:${action.value ?? ''}`;
    switch (action.action_id) {
      case SLACK_ACTION.acknowledge: {
        const v = buttonValue(DriftButton, action.value);
        if (v)
          out.push({
            key: 'cmd.notification.acknowledge.v1',
            data: {
              driftEventId: v.driftEventId,
              ...(v.notificationId ? { notificationId: v.notificationId } : {}),
              actor,
              via: 'slack',
            },
            sourceId,
          });
        break;
      }
      case SLACK_ACTION.accept: {
        const v = buttonValue(AcceptButton, action.value);
        if (v)
          out.push({
            key: 'cmd.recommendation.respond.v1',
            data: {
              action: 'accept',
              recommendationId: v.recommendationId,
              actor,
              note: `accepted in Slack for drift ${v.driftEventId}`,
            },
            sourceId,
          });
        break;
      }
      case SLACK_ACTION.silence: {
        const v = buttonValue(DriftButton, action.value);
        if (v)
          out.push({
            key: 'cmd.silence.create.v1',
            data: {
              matchers: [{ name: 'driftEventId', value: String(v.driftEventId), isRegex: false, isEqual: true }],
              startsAt: now.toISOString(),
              endsAt: new Date(now.getTime() + SILENCE_HOURS * 3600_000).toISOString(),
              createdBy: actor,
              comment: `silenced for ${SILENCE_HOURS} h from Slack`,
            },
            sourceId,
          });
        break;
      }
      default:
        break;
    }
  }
  return out;
}

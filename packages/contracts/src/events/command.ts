import { z } from 'zod';
import { envelopeOf } from '../envelope.js';
import { CauseCategory, ResolutionType } from '../enums.js';

/** Close an open drift: the engineer's verdict, which analysis also learns from. */
export const CmdDriftResolveV1Data = z.object({
  driftEventId: z.number().int().positive(),
  resolutionType: ResolutionType,
  confirmedCause: CauseCategory.optional(),
  actor: z.string().max(255).optional(),
  note: z.string().max(4000).optional(),
});
export const CmdDriftResolveV1 = envelopeOf('cmd.drift.resolve', CmdDriftResolveV1Data);
export type CmdDriftResolveV1 = z.infer<typeof CmdDriftResolveV1>;

/** Re-read the declared state of one IaC repository now. */
export const CmdRepoSyncV1Data = z.object({
  repositoryId: z.number().int().positive(),
  reason: z.string().max(255).optional(),
});
export const CmdRepoSyncV1 = envelopeOf('cmd.repo.sync', CmdRepoSyncV1Data);
export type CmdRepoSyncV1 = z.infer<typeof CmdRepoSyncV1>;

/** An engineer's (or an executor's) answer to a recommendation: accepted, rejected with a reason, or implemented with its result. */
export const CmdRecommendationRespondV1Data = z.discriminatedUnion('action', [
  z.object({
    action: z.literal('accept'),
    recommendationId: z.number().int().positive(),
    actor: z.string().min(1).max(255),
    note: z.string().max(4000).optional(),
  }),
  z.object({
    action: z.literal('reject'),
    recommendationId: z.number().int().positive(),
    actor: z.string().min(1).max(255),
    reason: z.string().min(1).max(4000),
  }),
  z.object({
    action: z.literal('implemented'),
    recommendationId: z.number().int().positive(),
    actor: z.string().min(1).max(255),
    result: z.object({ success: z.boolean(), details: z.string().max(4000).optional(), ref: z.string().max(500).optional() }),
  }),
]);
export const CmdRecommendationRespondV1 = envelopeOf('cmd.recommendation.respond', CmdRecommendationRespondV1Data);
export type CmdRecommendationRespondV1 = z.infer<typeof CmdRecommendationRespondV1>;

/** Someone on call has seen a notification (a Slack button, the console, the API). */
export const CmdNotificationAcknowledgeV1Data = z.object({
  driftEventId: z.number().int().positive(),
  notificationId: z.number().int().positive().optional(),
  actor: z.string().min(1).max(255),
  via: z.enum(['slack', 'api', 'console']),
});
export const CmdNotificationAcknowledgeV1 = envelopeOf('cmd.notification.acknowledge', CmdNotificationAcknowledgeV1Data);
export type CmdNotificationAcknowledgeV1 = z.infer<typeof CmdNotificationAcknowledgeV1>;

/** A label matcher of a silence, as Alertmanager has them (`driftEventId`, `resourceType`, `cause`…). */
export const SilenceMatcher = z.object({
  name: z.string().min(1).max(100),
  value: z.string().max(500),
  isRegex: z.boolean().default(false),
  isEqual: z.boolean().default(true),
});
export type SilenceMatcher = z.infer<typeof SilenceMatcher>;

/** Silence notifications matching `matchers` from `startsAt` to `endsAt` (a Slack "silence for 24 h", the API). */
export const CmdSilenceCreateV1Data = z.object({
  matchers: z.array(SilenceMatcher).min(1).max(20),
  startsAt: z.iso.datetime({ offset: true }),
  endsAt: z.iso.datetime({ offset: true }),
  createdBy: z.string().min(1).max(255),
  comment: z.string().min(1).max(4000),
});
export const CmdSilenceCreateV1 = envelopeOf('cmd.silence.create', CmdSilenceCreateV1Data);
export type CmdSilenceCreateV1 = z.infer<typeof CmdSilenceCreateV1>;

/**
 * Deliver a notification again that failed or was dead-lettered after its last attempt (the
 * notifier dead-letters such a notification as this command, so `dg dlq replay` redelivers it),
 * with the same idempotency key.
 */
export const CmdNotificationRedeliverV1Data = z.object({
  notificationId: z.number().int().positive(),
  reason: z.string().max(1000).optional(),
});
export const CmdNotificationRedeliverV1 = envelopeOf('cmd.notification.redeliver', CmdNotificationRedeliverV1Data);
export type CmdNotificationRedeliverV1 = z.infer<typeof CmdNotificationRedeliverV1>;

const ClockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: 'expected HH:MM (24-hour clock)' });
/** An end of day may also be 24:00 (a window to midnight). */
const EndClockTime = z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, { error: 'expected HH:MM (24-hour clock) or 24:00' });
/** An IANA time zone the runtime knows (`Europe/Berlin`, `UTC`). */
export const TimeZoneName = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { error: 'expected an IANA time zone such as Europe/Berlin or UTC' },
);

/**
 * A recurring maintenance window or quiet hours of the subject's environment: on `weekdays`
 * (0 = Sunday) from `startTime` to `endTime` in `timeZone` (an end before the start spans
 * midnight), non-critical notifications are held back and recorded as suppressed.
 */
export const CmdMaintenanceWindowCreateV1Data = z.object({
  name: z.string().min(1).max(255),
  kind: z.enum(['maintenance', 'quiet_hours']),
  weekdays: z
    .array(z.number().int().min(0).max(6))
    .min(1)
    .max(7)
    .refine((days) => new Set(days).size === days.length, { error: 'each weekday at most once' }),
  startTime: ClockTime,
  endTime: EndClockTime,
  timeZone: TimeZoneName,
  createdBy: z.string().min(1).max(255),
});
export const CmdMaintenanceWindowCreateV1 = envelopeOf('cmd.maintenance_window.create', CmdMaintenanceWindowCreateV1Data);
export type CmdMaintenanceWindowCreateV1 = z.infer<typeof CmdMaintenanceWindowCreateV1>;

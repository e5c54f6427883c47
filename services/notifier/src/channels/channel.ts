import type {
  AnalyzedDriftSummary,
  ChannelType,
  CorrelatedSignal,
  DriftAttribution,
  Priority,
  RecommendationStep,
  RecommendationType,
} from '@driftguard/contracts';
import type { OutboundGuard } from '@driftguard/runtime';
import type { z } from 'zod';

/**
 * What one notification says, whatever the channel: built by the notifier's pipeline from the
 * messages it consumed (never from another unit's tables) and rendered by a channel adapter.
 */
export interface Alert {
  /**
   * Stable identity of what is notified: one drift (`drift:<id>`) or one group
   * (`group:<env>:<hash>`). PagerDuty's dedup_key, the Slack message a later update edits and the
   * email thread all derive from it.
   */
  key: string;
  /** `trigger` opens, `update` amends what was sent under `key`, `resolve` closes it, `reminder` repeats it, `test` is a channel test */
  action: 'trigger' | 'update' | 'resolve' | 'reminder' | 'test';
  /** the notifications row this is, and the idempotency key of its delivery (Standard Webhooks' webhook-id) */
  notificationId: number;
  idempotencyKey: string;
  organizationId: number;
  environment: { id: number; name: string; production: boolean };
  priority: Priority;
  /** one line: severity, environment and resource, or the count for a group */
  title: string;
  /** the drifts covered, most severe first; `total` counts every one, even those not listed */
  items: AlertItem[];
  total: number;
  /** the console page of the drift or group (a tracked redirect that records read_at) */
  consoleUrl: string;
  occurredAt: Date;
}

/** One drift of an alert, with what an on-call engineer needs to act. */
export interface AlertItem {
  driftEventId: number;
  priority: Priority;
  severityScore: number | null;
  isSecurityCritical: boolean;
  drift: AnalyzedDriftSummary;
  /** true while analysis or the recommender has not answered yet (degraded mode) */
  analysisPending: boolean;
  cause?: { category: string; confidence: number; evidence: string[] };
  attribution?: DriftAttribution | null;
  correlated?: CorrelatedSignal[];
  recommendation?: {
    id: number;
    type: RecommendationType;
    rationale: string;
    steps: RecommendationStep[];
  };
  /** the console page of this drift (tracked redirect) */
  consoleUrl: string;
  resolvedAt?: Date;
}

/**
 * What the provider keeps of an earlier delivery under the same `key`, so an update or a
 * resolution reaches the same message or incident (Slack's channel and ts, PagerDuty's dedup_key).
 */
export type ProviderRef = Readonly<Record<string, string>>;

export interface SendContext {
  /** what the last accepted delivery under the same key returned, if any */
  previous?: ProviderRef;
  /** aborts the request (the 15 s timeout, shutdown) */
  signal: AbortSignal;
  /** every outbound request goes through this: it refuses private, loopback, link-local and metadata addresses at connect time */
  fetch: typeof fetch;
  /** vets the address of providers reached without HTTP (SMTP) before connecting; the guard without exceptions when absent */
  outbound?: OutboundGuard;
}

/** The provider's answer to one attempt. */
export type SendResult =
  | { ok: true; status: number; providerRef?: ProviderRef }
  | {
      ok: false;
      /** network errors, 5xx and 429 are retried; other 4xx are configuration errors and are not */
      retryable: boolean;
      status?: number;
      /** from Retry-After (seconds or a date), in milliseconds */
      retryAfterMs?: number;
      /** the provider's own error text (Slack's `invalid_payload`, PagerDuty's `errors[]`…), never a secret */
      error: string;
    };

/** One channel type: its configuration (validated with zod, secrets named so they are stored encrypted and never returned) and how it sends. */
export interface ChannelAdapter<C> {
  type: ChannelType;
  config: z.ZodType<C>;
  /** top-level configuration keys holding secrets (webhook URLs with tokens, routing keys, bot tokens, passwords, signing secrets) */
  secretFields: readonly string[];
  send(config: C, alert: Alert, ctx: SendContext): Promise<SendResult>;
}

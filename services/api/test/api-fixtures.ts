import { randomBytes } from 'node:crypto';
import { parseOutboundAllowList } from '@driftguard/runtime';
import type { Database } from '@driftguard/db';
import { parseKeyring } from '@driftguard/db';
import { channelAdapters, sendChannelTest } from '@driftguard/notifier';
import type { Kysely } from 'kysely';
import type { ApiDeps } from '../src/service.js';

export const MASTER_KEY = `k1:${randomBytes(32).toString('base64')}`;

/** The notifier's adapters, as `dg up` hands them to the api (loopback allowed for the test receivers). */
export function testChannels(): NonNullable<ApiDeps['channels']> {
  const keyring = parseKeyring(MASTER_KEY);
  const allow = parseOutboundAllowList('127.0.0.1');
  return {
    validate: (type) => ({ schema: channelAdapters[type].config, secretFields: channelAdapters[type].secretFields }),
    async sendTest(db, channelId) {
      const r = await sendChannelTest(db, { channelId, keyring, allow });
      return r.ok
        ? { ok: true, status: r.status }
        : { ok: false, status: r.status ?? null, retryable: r.retryable, detail: r.error };
    },
  };
}

export const webhookSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

export interface SeededDrift {
  driftId: number;
  recommendationId: number;
  notificationId: number;
}

/** One open drift of an environment with a security-critical change, a cause, a recommendation and a notification. */
export async function seedDrift(
  db: Kysely<Database>,
  envId: number,
  opts: {
    address: string;
    detectedAt?: Date;
    severity?: number;
    driftType?: 'modified' | 'added' | 'deleted' | 'moved';
    resolved?: boolean;
  },
): Promise<SeededDrift> {
  const detectedAt = opts.detectedAt ?? new Date();
  const drift = await db
    .insertInto('drift_events')
    .values({
      environment_id: envId,
      drift_type: opts.driftType ?? 'modified',
      detected_at: detectedAt,
      severity_score: String(opts.severity ?? 0.9),
      resolved_at: opts.resolved ? new Date(detectedAt.getTime() + 3_600_000) : null,
      resolution_type: opts.resolved ? 'codify_iac' : null,
      metadata: JSON.stringify({
        resource: { address: opts.address, physicalId: `sg-${opts.address.length}abc`, type: 'aws_security_group' },
      }),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('drift_changes')
    .values({
      drift_event_id: drift.id,
      property_path: '/ingress/0/cidr_blocks',
      change_type: 'modified',
      declared_value: JSON.stringify(['10.0.0.0/8']),
      actual_value: JSON.stringify(['0.0.0.0/0']),
      is_security_critical: true,
    })
    .execute();
  await db
    .insertInto('drift_cause_analysis')
    .values({
      drift_event_id: drift.id,
      cause_category: 'emergency_fix',
      confidence_score: '0.80',
      contributing_factors: JSON.stringify({}),
    })
    .execute();
  const rec = await db
    .insertInto('recommendations')
    .values({
      drift_event_id: drift.id,
      recommendation_type: 'codify_iac',
      priority: 'high',
      confidence_score: '0.70',
      rationale: 'the change looks intended',
      recommended_by: 'policy',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const n = await db
    .insertInto('notifications')
    .values({ drift_event_id: drift.id, notification_type: 'drift_detected', priority: 'high' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { driftId: drift.id, recommendationId: rec.id, notificationId: n.id };
}

import type { EnvironmentSummary } from '@driftguard/contracts';
import { z } from 'zod';
import { isProduction } from '../risk/risk.assess.js';

/** Environment tags analysis reads (set by the environment's owners through the api). */
export const ENVIRONMENT_TAGS = {
  /** IANA time zone of the team owning the environment (business hours, weekends, holidays). */
  timeZone: 'timezone',
  /** Hours before an observation searched when no scan saw the resource in sync. */
  lookBackHours: 'driftguard:lookback-hours',
  /** The environment's IaC pipeline principals: ARNs or `*` patterns, comma separated. */
  iacPrincipals: 'driftguard:iac-principals',
} as const;

/** How analysis sees one environment: what drift.analyzed says of it and the settings its tags give. */
export interface EnvironmentProfile {
  summary: EnvironmentSummary;
  timeZone: string;
  /** Look-back in milliseconds when the last in-sync scan is unknown. */
  lookBackMs: number;
  /** Patterns of the IaC pipeline's principals (`*` matches any run of characters). */
  iacPrincipals: readonly RegExp[];
}

export interface EnvironmentRow {
  name: string;
  slug: string;
  tags: unknown;
  cloud_provider: string;
  account_id: string | null;
  region: string | null;
}

const Tags = z.record(z.string(), z.unknown());
const MAX_LOOKBACK_HOURS = 24 * 30;

function validTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** `arn:aws:iam::1:role/deploy-*` → a whole-string, case-sensitive pattern. */
export function principalPattern(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

/**
 * The profile of an environment from its row. Unusable tag values are ignored (an unknown time
 * zone means UTC, a non-positive look-back the service default): a typo in a tag must not stop
 * analysis.
 */
export function environmentProfile(env: EnvironmentRow, defaultLookBackMs: number): EnvironmentProfile {
  const parsed = Tags.safeParse(env.tags);
  const tags = parsed.success ? parsed.data : {};
  const tag = (key: string): string | undefined => {
    const v = Object.entries(tags).find(([k]) => k.toLowerCase() === key)?.[1];
    return typeof v === 'string' || typeof v === 'number' ? String(v).trim() : undefined;
  };
  const tier = ['tier', 'env', 'environment', 'stage'].map(tag).find((v) => v !== undefined) ?? null;
  const zone = tag(ENVIRONMENT_TAGS.timeZone);
  const hours = Number(tag(ENVIRONMENT_TAGS.lookBackHours));
  const principals = (tag(ENVIRONMENT_TAGS.iacPrincipals) ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  return {
    summary: {
      name: env.name,
      slug: env.slug,
      tier,
      production: isProduction(env),
      cloudProvider: env.cloud_provider,
      accountId: env.account_id,
      region: env.region,
    },
    timeZone: zone && validTimeZone(zone) ? zone : 'UTC',
    lookBackMs: Number.isFinite(hours) && hours > 0 ? Math.min(hours, MAX_LOOKBACK_HOURS) * 3600_000 : defaultLookBackMs,
    iacPrincipals: principals.map(principalPattern),
  };
}

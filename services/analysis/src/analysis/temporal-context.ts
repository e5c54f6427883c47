import type { TemporalContext } from '@driftguard/contracts';
import type { CauseFeatures } from '../cause/feature-names.js';
import type { CorrelatedSignal } from '../correlation/correlate.js';

/**
 * When the change happened against the environment's calendar and its operational context, from
 * the features the cause was decided on (measured at the audited change time, else the
 * observation): business hours are 08:00–19:00 on a weekday that is no holiday, local time.
 */
export function temporalContext(timeZone: string, f: CauseFeatures, correlated: readonly CorrelatedSignal[]): TemporalContext {
  const nearest = correlated.length ? Math.min(...correlated.map((c) => Math.abs(c.offsetMs))) : null;
  return {
    timeZone,
    businessHours: f.off_hours === 0 && f.weekend === 0 && f.holiday === 0,
    weekend: f.weekend === 1,
    holiday: f.holiday === 1,
    insideIncident: f.incident_active === 1,
    insideMaintenance: f.maint_active === 1,
    insideDeployment: f.deploy_active === 1,
    minutesFromNearestSignal: nearest === null ? null : Math.round(nearest / 6_000) / 10,
  };
}

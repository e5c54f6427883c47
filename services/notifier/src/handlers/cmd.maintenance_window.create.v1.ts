import type { EventHandler } from '@driftguard/bus';
import type { Database } from '@driftguard/db';
import { insertMaintenanceWindow } from '../silencing/silences.queries.js';

/**
 * `dg.cmd.maintenance_window.create.v1.<org>.<env>`: records a recurring maintenance window or
 * quiet hours of the environment (once per command: the consume ledger drops a redelivery).
 */
export function cmdMaintenanceWindowCreateV1(): EventHandler<'cmd.maintenance_window.create.v1', Database> {
  return async (event, { tx, log }) => {
    const { name, kind, weekdays, startTime, endTime, timeZone, createdBy } = event.data;
    const id = await insertMaintenanceWindow(tx, {
      orgId: event.orgId,
      envId: event.envId,
      name,
      kind,
      weekdays,
      startTime,
      endTime,
      timeZone,
    });
    log.info({ id, kind, createdBy, envId: event.envId }, 'maintenance window created');
  };
}

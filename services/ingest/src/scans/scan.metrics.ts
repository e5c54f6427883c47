import { sql, type Kysely } from 'kysely';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Database } from '@driftguard/db';

/** What platform teams watch and scale ingest on: outcomes, drift churn, processing time, backlog. */
export interface ScanMetrics {
  scans: Counter<'format' | 'outcome'>;
  drifts: Counter<'action'>;
  processing: Histogram<'format'>;
}

export function createScanMetrics(registry: Registry, db: Kysely<Database>): ScanMetrics {
  new Gauge({
    name: 'dg_ingest_scans_waiting',
    help: 'Scans recorded and not yet finished (accepted or processing), across all instances',
    registers: [registry],
    async collect() {
      // Every organization's backlog: a count through dg_scans_waiting (migration 0006), no rows.
      const r = await sql<{ n: number }>`select dg_scans_waiting() as n`.execute(db);
      this.set(r.rows[0]?.n ?? 0);
    },
  });
  return {
    scans: new Counter({
      name: 'dg_ingest_scans_total',
      help: 'Scans finished by this instance, by format and outcome (completed, rejected, failed)',
      labelNames: ['format', 'outcome'] as const,
      registers: [registry],
    }),
    drifts: new Counter({
      name: 'dg_ingest_drifts_total',
      help: 'Drift events opened, refreshed (seen again) and resolved by scans on this instance',
      labelNames: ['action'] as const,
      registers: [registry],
    }),
    processing: new Histogram({
      name: 'dg_ingest_scan_processing_seconds',
      help: 'Time from claiming a scan to finishing it, by format',
      labelNames: ['format'] as const,
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
      registers: [registry],
    }),
  };
}

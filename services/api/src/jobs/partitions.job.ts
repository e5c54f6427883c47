import { ensureAuditPartitions } from '@driftguard/db';
import type { JobContext } from './job-context.js';

export interface PartitionsResult {
  created: string[];
}

/** Keeps DG_AUDIT_PARTITIONS_AHEAD monthly audit_log partitions ready, so the DEFAULT partition stays empty. */
export async function runAuditPartitions(ctx: JobContext): Promise<PartitionsResult> {
  const created = await ensureAuditPartitions(ctx.db, ctx.settings.DG_AUDIT_PARTITIONS_AHEAD);
  if (created.length > 0) ctx.log.info({ created }, 'audit partitions created');
  return { created };
}

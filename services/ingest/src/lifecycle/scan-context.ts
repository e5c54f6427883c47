import type { CauseCategory, ScanFormat } from '@driftguard/contracts';

/** The scan a batch of drift writes belongs to. */
export interface ScanRef {
  scanId: string;
  orgId: number;
  envId: number;
  format: ScanFormat;
  scanner?: string;
  /** First token of published subjects (the bus's `subjectRoot`). */
  subjectRoot: string;
  /** What an event body must stay under (the bus's `eventBudgetBytes()`); 256 KiB when absent. */
  eventBudgetBytes?: number;
}

/** How a drift came to be closed, kept in its metadata and sent with drift.resolved. */
export interface Resolution {
  by: 'scan' | 'command';
  reason: 'in_sync' | 'not_in_full_scan' | 'superseded' | 'command';
  resolutionType?: 'auto_revert' | 'codify_iac' | 'accepted' | 'escalated';
  confirmedCause?: CauseCategory;
  actor?: string;
  note?: string;
  scanId?: string;
  supersededBy?: string;
}

export interface BatchCounts {
  opened: number;
  updated: number;
  resolved: number;
}

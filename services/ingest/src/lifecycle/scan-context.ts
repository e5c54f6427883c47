import type { ScanFormat } from '@driftguard/contracts';

/** The scan a batch of drift writes belongs to. */
export interface ScanRef {
  scanId: string;
  orgId: number;
  envId: number;
  format: ScanFormat;
  scanner?: string;
  /** First token of published subjects (the bus's `subjectRoot`). */
  subjectRoot: string;
}

/** How a drift came to be closed, kept in its metadata and sent with drift.resolved. */
export interface Resolution {
  by: 'scan' | 'command';
  reason: 'in_sync' | 'not_in_full_scan' | 'superseded' | 'command';
  resolutionType?: 'auto_revert' | 'codify_iac' | 'accepted' | 'escalated';
  confirmedCause?: string;
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

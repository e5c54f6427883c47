/**
 * Every bound ingest puts on what it is sent, named once. A request that goes past one is
 * answered 413 (size) or 422 (count) with a problem naming the bound (`limit`) and its value,
 * so a scanner's operator knows which knob was hit. Sizes are bytes.
 */
export const SCAN_LIMITS = {
  /** A scan body as it arrives on the wire (compressed or not). */
  maxWireBytes: 50 * 1024 * 1024,
  /**
   * A scan once decompressed. Parsing it costs several times this in memory (strings, objects),
   * so this bound is what keeps one scan inside the process's memory budget.
   */
  maxInflatedBytes: 128 * 1024 * 1024,
  /** Decompressed / compressed bytes: real scanner JSON compresses 5–40×; a gzip bomb ~1000×. */
  maxInflationRatio: 200,
  /** Below this many decompressed bytes the ratio is not judged (tiny bodies compress oddly). */
  inflationRatioFloorBytes: 4 * 1024 * 1024,
  /** JSON nesting; deeper bodies are refused before any recursive code sees them. */
  maxDepth: 256,
  /** JSON objects and arrays in one body (a `{},{},…` flood is refused before it is built). */
  maxJsonContainers: 4_000_000,
  /** Resources one scan may report (observations of every kind). */
  maxResources: 250_000,
  /** Property changes one scan may report, over all its resources. */
  maxChanges: 1_000_000,
  /** Rejected items kept in a scan's report; past this only their number is kept. */
  maxRejectedReported: 1_000,
} as const;

export const DECLARED_LIMITS = {
  /** A declared-state upload as it arrives on the wire. */
  maxUploadBytes: 50 * 1024 * 1024,
  /** Declared-state text once decompressed. */
  maxTextBytes: 256 * 1024 * 1024,
  /** One file read from a synced repository. */
  maxRepositoryFileBytes: 10 * 1024 * 1024,
  /**
   * The text of one declaring file kept for diffs (iac_source_files.content); a larger file keeps
   * its path and what it declares, without its text. Not refused: the sync goes on.
   */
  maxSourceFileBytes: 1024 * 1024,
  /** The declaring files' text kept for one repository; files past it (in path order) keep no text. */
  maxSourceBytesPerRepository: 64 * 1024 * 1024,
} as const;

export const CONTEXT_LIMITS = {
  /** A context delivery (webhook, audit export) as it arrives on the wire. */
  maxContextBytes: 10 * 1024 * 1024,
} as const;

export type ScanLimitName = keyof typeof SCAN_LIMITS;
export type LimitName = ScanLimitName | keyof typeof DECLARED_LIMITS | keyof typeof CONTEXT_LIMITS;

/** A bound that was hit, as reported in problems and stored scan errors. */
export interface LimitHit {
  limit: LimitName;
  value: number;
}

import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../src/testing.js';
import { catalogFacts } from './catalog-facts.js';
import { loadSeedFacts } from './seed-parser.js';

/**
 * The migrated schema must state exactly what the seed states about its tables, except the
 * deviations and additions written down in DEVIATIONS.md, which are listed here again.
 */
const DEVIATIONS_REMOVED = ['audit_log: primary key (id)', 'audit_log.timestamp: null', 'ml_models: unique (name)'];
const DEVIATIONS_ADDED = [
  'audit_log: primary key (id, timestamp)',
  'audit_log.timestamp: not null',
  'ml_models: unique (name, version)',
  'drift_cause_analysis: unique (drift_event_id)',
];
/**
 * Additions on seed columns (later migrations). Facts about columns the seed does not have are
 * checked by schema.test.ts against the Kysely descriptors instead.
 */
const ADDED_ON_SEED_COLUMNS = [
  'drift_changes: index idx_drift_changes_drift_event (drift_event_id)',
  'drift_events: index idx_drift_events_iac_resource (iac_resource_id) where iac_resource_id is not null',
  'user_sessions: foreign key (user_id) references users(id) on delete cascade',
  'user_sessions: index idx_user_sessions_user (user_id)',
  // 0014: sessions listed per organization
  'user_sessions: index idx_user_sessions_org (organization_id)',
  // 0015-data-lifecycle: indexes of the console's queries and the lifecycle jobs.
  'drift_cause_analysis: index idx_drift_cause_analysis_category (cause_category, drift_event_id)',
  'drift_changes: index idx_drift_changes_path_trgm using gin (lower property_path gin_trgm_ops)',
  'drift_changes: index idx_drift_changes_security (drift_event_id) where is_security_critical',
  "drift_changes: index idx_drift_changes_values_trgm using gin (lower coalesce declared_value, '' || ' ' || coalesce actual_value, '' gin_trgm_ops)",
  'drift_events: index idx_drift_events_env_resolved (environment_id, resolved_at) where resolved_at is not null',
  'drift_events: index idx_drift_events_open_severity (environment_id, severity_score) where resolved_at is null',
  'drift_events: index idx_drift_events_resolved (resolved_at) where resolved_at is not null',
  "drift_events: index idx_drift_events_resource_trgm using gin (lower coalesce metadata #>> '{resource, address}', '' || ' ' || coalesce metadata #>> '{resource, physicalid}', '' gin_trgm_ops)",
  'drift_events: index idx_drift_events_time_id (detected_at desc, id desc)',
  'notifications: index idx_notifications_drift_event (drift_event_id)',
  'operational_context: index idx_operational_context_drift_event (drift_event_id)',
  'recommendations: index idx_recommendations_created (created_at)',
  'recommendations: index idx_recommendations_drift_event (drift_event_id)',
  // 0023-config-changes-drift-sorting: keyset indexes of the drift list's sort orders.
  "drift_events: index idx_drift_events_address_id (coalesce metadata #>> '{resource, address}', '', id)",
  "drift_events: index idx_drift_events_severity_id (coalesce severity_score, '-1', id)",
  "drift_events: index idx_drift_events_type_id (coalesce metadata #>> '{resource, type}', '', id)",
];

describe('migrated schema against the seed data model', () => {
  let test: TestDatabase;
  const seed = loadSeedFacts();
  let actual: { columns: string[]; facts: string[] };

  beforeAll(async () => {
    test = await createTestDatabase('seed');
    actual = await catalogFacts(test.db, seed.tables);
  });
  afterAll(() => test?.destroy());

  it('parses all 18 seed tables and the 5 performance indexes', () => {
    expect(seed.tables).toHaveLength(18);
    expect(seed.facts.filter((f) => / index idx_/.test(f))).toHaveLength(5);
    expect(seed.facts).toContain('audit_log: partition by range timestamp');
    expect(seed.facts).toContain("iac_repositories.branch: default 'main'");
  });

  it('has every seed column', () => {
    const seedColumns = new Set(seed.facts.map((f) => /^(\w+\.\w+): /.exec(f)?.[1]));
    seedColumns.delete(undefined);
    expect([...seedColumns].filter((c) => !actual.columns.includes(c as string))).toEqual([]);
  });

  it('declares every seed type, length, precision, default, NOT NULL, CHECK, FK, UNIQUE and index', () => {
    expect(seed.facts.filter((f) => !actual.facts.includes(f))).toEqual([...DEVIATIONS_REMOVED].sort());
  });

  it('changes seed columns only as documented', () => {
    const seedColumns = new Set(seed.facts.map((f) => /^(\w+\.\w+): /.exec(f)?.[1]));
    const addedColumns = actual.columns.filter((c) => !seedColumns.has(c));
    // A fact is about added columns when it names one (`t.col: ...`, or `col` inside `t: ...`).
    const aboutAdded = (fact: string) =>
      addedColumns.some((c) => {
        const [table, column] = c.split('.');
        return fact.startsWith(`${c}: `) || (fact.startsWith(`${table}: `) && new RegExp(`\\b${column}\\b`).test(fact));
      });
    const extra = actual.facts.filter((f) => !seed.facts.includes(f) && !aboutAdded(f));
    expect(extra).toEqual([...DEVIATIONS_ADDED, ...ADDED_ON_SEED_COLUMNS].sort());
  });

  it('partitions audit_log by month with a default partition', async () => {
    const { rows } = await sql<{ name: string }>`
      SELECT inhrelid::regclass::text AS name FROM pg_inherits WHERE inhparent = 'audit_log'::regclass`.execute(test.db);
    const names = rows.map((r) => r.name).sort();
    const now = new Date();
    const month = (offset: number) => {
      const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1));
      return `audit_log_y${d.getUTCFullYear()}m${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
    };
    expect(names).toEqual(expect.arrayContaining(['audit_log_default', month(0), month(1), month(2), month(3)]));
  });
});

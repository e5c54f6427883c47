import * as contracts from '@driftguard/contracts';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableColumns, type ColumnSpec } from '../src/index.js';
import { createTestDatabase, type TestDatabase } from '../src/testing.js';

interface CatalogColumn {
  table_name: string;
  column_name: string;
  udt_name: string;
  character_maximum_length: number | null;
  numeric_precision: number | null;
  numeric_scale: number | null;
  is_nullable: 'YES' | 'NO';
  column_default: string | null;
}

/** The descriptor form of an information_schema column. */
function asDescriptor(c: CatalogColumn): Omit<ColumnSpec, 'values'> {
  const type =
    c.udt_name === 'varchar'
      ? `varchar(${c.character_maximum_length})`
      : c.udt_name === 'numeric'
        ? `numeric(${c.numeric_precision},${c.numeric_scale})`
        : c.udt_name;
  return { type: type as ColumnSpec['type'], nullable: c.is_nullable === 'YES', hasDefault: c.column_default !== null };
}

describe('Kysely schema descriptors', () => {
  let test: TestDatabase;
  let catalog: CatalogColumn[];

  beforeAll(async () => {
    test = await createTestDatabase('schema');
    const result = await sql<CatalogColumn>`
      SELECT c.table_name, c.column_name, c.udt_name, c.character_maximum_length, c.numeric_precision,
             c.numeric_scale, c.is_nullable, c.column_default
      FROM information_schema.columns c
      JOIN pg_class k ON k.relname = c.table_name AND k.relnamespace = 'public'::regnamespace
      WHERE c.table_schema = 'public' AND NOT k.relispartition AND c.table_name NOT LIKE 'kysely\\_%'
      ORDER BY c.table_name, c.ordinal_position`.execute(test.db);
    catalog = result.rows;
  });
  afterAll(() => test?.destroy());

  it('describes exactly the tables of the migrated database', () => {
    const migrated = [...new Set(catalog.map((c) => c.table_name))].sort();
    expect(Object.keys(tableColumns).sort()).toEqual(migrated);
  });

  it.each(Object.keys(tableColumns))('matches %s column by column: name, type, nullability, default', (table) => {
    const fromDb = Object.fromEntries(catalog.filter((c) => c.table_name === table).map((c) => [c.column_name, asDescriptor(c)]));
    const declared = Object.fromEntries(
      Object.entries(tableColumns[table as keyof typeof tableColumns] as Record<string, ColumnSpec>).map(([name, spec]) => [
        name,
        { type: spec.type, nullable: spec.nullable, hasDefault: spec.hasDefault },
      ]),
    );
    expect(declared).toEqual(fromDb);
  });

  it('narrows exactly the CHECK (col IN (...)) columns, to the values the database allows', async () => {
    const { rows } = await sql<{ table: string; column: string; def: string }>`
      SELECT c.relname AS table, a.attname AS column, pg_get_constraintdef(k.oid) AS def
      FROM pg_constraint k
      JOIN pg_class c ON c.oid = k.conrelid
      JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1]
      WHERE k.contype = 'c' AND cardinality(k.conkey) = 1 AND pg_get_constraintdef(k.oid) LIKE '%ANY%ARRAY%'
        AND c.relnamespace = 'public'::regnamespace`.execute(test.db);
    const fromDb = Object.fromEntries(
      rows.map((r) => [`${r.table}.${r.column}`, [...r.def.matchAll(/'([^']*)'::/g)].map((m) => m[1])]),
    );
    const declared: Record<string, readonly string[]> = {};
    for (const [table, columns] of Object.entries(tableColumns)) {
      for (const [name, spec] of Object.entries(columns as Record<string, ColumnSpec>)) {
        if (spec.values !== null) declared[`${table}.${name}`] = spec.values;
      }
    }
    expect(declared).toEqual(fromDb);
  });

  it('uses the same value lists as the enums of @driftguard/contracts', () => {
    const pairs: [readonly string[] | null, readonly string[]][] = [
      [tableColumns.environments.cloud_provider.values, contracts.CloudProvider.options],
      [tableColumns.iac_repositories.tool.values, contracts.IacTool.options],
      [tableColumns.drift_events.drift_type.values, contracts.DriftType.options],
      [tableColumns.drift_events.resolution_type.values, contracts.ResolutionType.options],
      [tableColumns.drift_changes.change_type.values, contracts.ChangeType.options],
      [tableColumns.ml_models.model_type.values, contracts.ModelType.options],
      [tableColumns.drift_cause_analysis.cause_category.values, contracts.CauseCategory.options],
      [tableColumns.recommendations.recommendation_type.values, contracts.RecommendationType.options],
      [tableColumns.recommendations.priority.values, contracts.Priority.options],
      [tableColumns.recommendations.estimated_effort.values, contracts.EstimatedEffort.options],
      [tableColumns.notifications.priority.values, contracts.Priority.options],
      [tableColumns.routing_rules.min_priority.values, contracts.Priority.options],
      [tableColumns.notification_channels.channel_type.values, contracts.ChannelType.options],
      [tableColumns.operational_context.context_type.values, contracts.OperationalContextType.options],
      [tableColumns.operational_context.incident_impact.values, contracts.IncidentImpact.options],
      [tableColumns.api_tokens.role.values, contracts.Role.options],
      [tableColumns.users.role.values, contracts.Role.options.filter((r) => r !== 'scanner')],
      [tableColumns.scans.status.values, contracts.ScanStatus.options],
      [tableColumns.scans.source.values, contracts.ScanSource.options],
    ];
    for (const [declared, contract] of pairs) expect(declared).toEqual(contract);
  });
});

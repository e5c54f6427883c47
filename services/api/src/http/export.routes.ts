import { Readable } from 'node:stream';
import { DriftListQuery } from '@driftguard/contracts';
import { runAsOrg, type Database } from '@driftguard/db';
import { type HttpApp } from '@driftguard/runtime';
import { stringify } from 'csv-stringify/sync';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { driftSortOf, listDrifts, type DriftFilter, type DriftSort } from '../analytics/drift-search.queries.js';
import {
  listEnvironmentRows,
  listIgnoreRuleRows,
  listIntegrationRows,
  listRepositoryRows,
  listSilenceRows,
  organizationRow,
} from '../config/control-plane.queries.js';
import { listChannels, listRoutes } from '../bootstrap/index.js';
import { callerOf, READ, SECURITY, type ControlPlaneDeps, problems } from '../config/control-plane.js';
import { cursorOf, driftFilterOf, type DriftCursor } from './drifts.routes.js';

const BATCH = 500;

// Streamed as it is read, never serialized: a stream, documented as CSV text.
const CsvStream = z.custom<Readable>((v) => v instanceof Readable).meta({ type: 'string' });
const CsvBody = { description: 'CSV (RFC 4180), a header row first', content: { 'text/csv': { schema: CsvStream } } };

/**
 * A cell as a spreadsheet will not run it: text starting like a formula (=, +, -, @, tab, CR)
 * gets a leading apostrophe (OWASP's CSV injection advice). Numbers stay numbers.
 */
export function safeCell(v: unknown): string | number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') return v;
  const text = v instanceof Date ? v.toISOString() : typeof v === 'string' ? v : JSON.stringify(v);
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

const csvLine = (cells: readonly unknown[]) => stringify([cells.map(safeCell)]);

const DRIFT_COLUMNS = [
  'id',
  'environment_id',
  'drift_type',
  'address',
  'physical_id',
  'resource_type',
  'detected_at',
  'resolved_at',
  'severity_score',
];

/** Every drift matching `filter`, newest first, read in keyset batches (each in the organization's scope). */
function driftCsv(
  db: Kysely<Database>,
  orgId: number,
  filter: DriftFilter,
  start: DriftCursor | undefined,
  sort: DriftSort,
): Readable {
  async function* lines(): AsyncGenerator<string> {
    yield csvLine(DRIFT_COLUMNS);
    let cursor = start;
    for (;;) {
      const page = await runAsOrg(orgId, () => listDrifts(db, orgId, filter, { cursor, limit: BATCH, sort }));
      for (const d of page.items) {
        yield csvLine([
          d.id,
          d.environmentId,
          d.driftType,
          d.address,
          d.physicalId,
          d.resourceType,
          d.detectedAt,
          d.resolvedAt,
          d.severityScore,
        ]);
      }
      if (page.nextCursor === null) return;
      cursor = cursorOf(page.nextCursor, sort);
    }
  }
  return Readable.from(lines());
}

function rowsCsv(columns: readonly string[], load: () => Promise<readonly (readonly unknown[])[]>): Readable {
  async function* lines(): AsyncGenerator<string> {
    yield csvLine(columns);
    for (const row of await load()) yield csvLine(row);
  }
  return Readable.from(lines());
}

/** CSV exports of the lists: drift (the list's filters), environments, repositories, integrations, channels, routing rules, silences, ignore rules. */
export function registerExportRoutes(app: HttpApp, { db }: ControlPlaneDeps): void {
  const schemaOf = (summary: string) => ({
    summary,
    security: SECURITY,
    produces: ['text/csv'],
    response: { 200: CsvBody, ...problems(401, 403) },
  });
  const attach = (name: string) => ({
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="${name}.csv"`,
  });

  app.get(
    '/v1/drifts/export.csv',
    { preHandler: READ, schema: { ...schemaOf('Every drift matching the list filters, as CSV'), querystring: DriftListQuery } },
    async (request, reply) => {
      const ctx = callerOf(request);
      const filter = await driftFilterOf(db, ctx.orgId, request.query);
      const sort = driftSortOf(request.query.sort);
      return reply.headers(attach('drifts')).send(driftCsv(db, ctx.orgId, filter, cursorOf(request.query.cursor, sort), sort));
    },
  );

  app.get(
    '/v1/environments/export.csv',
    { preHandler: READ, schema: schemaOf('Environments as CSV') },
    async (request, reply) => {
      const { orgId } = callerOf(request);
      const csv = rowsCsv(['id', 'slug', 'name', 'cloud_provider', 'region', 'account_id', 'tags', 'is_active'], async () =>
        (await runAsOrg(orgId, () => listEnvironmentRows(db, orgId))).map((e) => [
          e.id,
          e.slug,
          e.name,
          e.cloud_provider,
          e.region,
          e.account_id,
          e.tags,
          e.is_active,
        ]),
      );
      return reply.headers(attach('environments')).send(csv);
    },
  );

  app.get(
    '/v1/repositories/export.csv',
    { preHandler: READ, schema: schemaOf('IaC repositories as CSV (no credentials)') },
    async (request, reply) => {
      const { orgId } = callerOf(request);
      const csv = rowsCsv(
        ['id', 'environment_id', 'name', 'tool', 'url', 'branch', 'last_sync_at', 'has_credentials'],
        async () =>
          (await runAsOrg(orgId, () => listRepositoryRows(db, orgId))).map((r) => [
            r.id,
            r.environment_id,
            r.name,
            r.tool,
            r.repository_url,
            r.branch,
            r.last_sync_at,
            r.has_credentials,
          ]),
      );
      return reply.headers(attach('repositories')).send(csv);
    },
  );

  app.get(
    '/v1/ignore-rules/export.csv',
    { preHandler: READ, schema: schemaOf('Ignore rules and their suppression counts as CSV') },
    async (request, reply) => {
      const { orgId } = callerOf(request);
      const csv = rowsCsv(
        [
          'id',
          'environment_id',
          'resource_type',
          'address_pattern',
          'property_path',
          'syntax',
          'reason',
          'suppressed_count',
          'expires_at',
          'is_active',
        ],
        async () =>
          (await runAsOrg(orgId, () => listIgnoreRuleRows(db, orgId))).map((r) => [
            r.id,
            r.environment_id,
            r.resource_type,
            r.address_pattern,
            r.property_path,
            r.syntax,
            r.reason,
            Number(r.suppressed_count),
            r.expires_at,
            r.is_active,
          ]),
      );
      return reply.headers(attach('ignore-rules')).send(csv);
    },
  );

  app.get(
    '/v1/integrations/export.csv',
    { preHandler: READ, schema: schemaOf('Integrations as CSV (no secrets)') },
    async (request, reply) => {
      const { orgId } = callerOf(request);
      const csv = rowsCsv(['id', 'environment_id', 'source', 'key_id', 'created_at'], async () =>
        (await runAsOrg(orgId, () => listIntegrationRows(db, orgId))).map((r) => [
          r.id,
          r.environment_id,
          r.source,
          r.key_id,
          r.created_at,
        ]),
      );
      return reply.headers(attach('integrations')).send(csv);
    },
  );

  app.get(
    '/v1/channels/export.csv',
    { preHandler: READ, schema: schemaOf('Notification channels as CSV (secret fields as markers)') },
    async (request, reply) => {
      const { orgId } = callerOf(request);
      const csv = rowsCsv(['id', 'name', 'type', 'is_default', 'is_active', 'configuration'], async () =>
        runAsOrg(orgId, async () => {
          const org = await organizationRow(db, orgId);
          return (await listChannels(db, org.slug)).map((c) => [c.id, c.name, c.type, c.isDefault, c.isActive, c.configuration]);
        }),
      );
      return reply.headers(attach('channels')).send(csv);
    },
  );

  app.get(
    '/v1/routing-rules/export.csv',
    { preHandler: READ, schema: schemaOf('Routing rules as CSV, in walk order') },
    async (request, reply) => {
      const { orgId } = callerOf(request);
      const csv = rowsCsv(
        ['id', 'position', 'name', 'channel', 'environment', 'min_priority', 'match', 'continue', 'is_active'],
        async () =>
          runAsOrg(orgId, async () => {
            const org = await organizationRow(db, orgId);
            return (await listRoutes(db, org.slug)).map((r) => [
              r.id,
              r.position,
              r.name,
              r.channel,
              r.envSlug,
              r.minPriority,
              r.match,
              r.continue,
              r.isActive,
            ]);
          }),
      );
      return reply.headers(attach('routing-rules')).send(csv);
    },
  );

  app.get('/v1/silences/export.csv', { preHandler: READ, schema: schemaOf('Silences as CSV') }, async (request, reply) => {
    const { orgId } = callerOf(request);
    const csv = rowsCsv(['id', 'starts_at', 'ends_at', 'created_by', 'comment', 'matchers'], async () =>
      (await runAsOrg(orgId, () => listSilenceRows(db, orgId))).map((r) => [
        r.id,
        r.starts_at,
        r.ends_at,
        r.created_by,
        r.comment,
        r.matchers,
      ]),
    );
    return reply.headers(attach('silences')).send(csv);
  });
}

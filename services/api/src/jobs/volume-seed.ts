import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import {
  CAUSES,
  DAY_MS,
  DRIFT_TYPES,
  PRIORITIES,
  REC_TYPES,
  RESOLUTIONS,
  hex,
  iso,
  pick,
  resourceType,
  rnd,
  row,
  type ResourceType,
} from './volume-seed.data.js';
import { LOADED_TABLES, dropSecondaryIndexes, ensureAuditMonths } from './volume-seed.schema.js';

/**
 * Loads a large organization's worth of drift for benchmarks and the query tests, with COPY:
 * `days` × `perDay` drift_events over the last `days` days, ~3 changes each, a cause analysis
 * and an ML prediction each, recommendations, notifications, correlation events and one
 * audit row per drift. Every attribute of a drift is a pure function of its index, so each
 * table is streamed in its own pass and agrees with the others. The loaded tables' secondary
 * indexes are dropped for the load and rebuilt after it (bulk-load practice): run it on a
 * database nothing else is writing to. Connect as the tables' owner (the migrating login).
 */
export interface VolumeSeedOptions {
  /** Days of history, ending now. */
  days: number;
  perDay: number;
  environments?: number;
  /** Organization slug (created; must not exist). */
  org?: string;
  /** Distinct resources per environment. */
  resourcesPerEnvironment?: number;
  now?: Date;
  onProgress?: (message: string) => void;
}

export interface VolumeSeedResult {
  organizationId: number;
  environmentIds: number[];
  driftEvents: number;
  firstDriftId: number;
  rows: Record<string, number>;
}

interface Drift {
  id: number;
  env: number;
  resource: number;
  type: ResourceType;
  detectedMs: number;
  resolvedMs: number | null;
  severity: number;
  changes: number;
}

export async function seedVolume(url: string, options: VolumeSeedOptions): Promise<VolumeSeedResult> {
  const now = (options.now ?? new Date()).getTime();
  const envCount = options.environments ?? 12;
  const perEnvResources = options.resourcesPerEnvironment ?? 2_000;
  const total = options.days * options.perDay;
  const progress = options.onProgress ?? (() => undefined);
  const startMs = Math.floor(now / DAY_MS) * DAY_MS - (options.days - 1) * DAY_MS;
  const client = new pg.Client({ connectionString: url, application_name: 'driftguard-seed' });
  await client.connect();
  try {
    await client.query(`SET maintenance_work_mem = '256MB'`);
    const slug = options.org ?? `volume-${Date.now().toString(36)}`;
    const org = await client.query<{ id: number }>(`INSERT INTO organizations (name, slug) VALUES ($1, $1) RETURNING id`, [slug]);
    const orgId = org.rows[0]?.id ?? 0;
    const envIds: number[] = [];
    const repoIds: number[] = [];
    for (let e = 0; e < envCount; e++) {
      const env = await client.query<{ id: number }>(
        `INSERT INTO environments (organization_id, name, slug, cloud_provider, region, account_id)
         VALUES ($1, $2, $2, 'aws', 'eu-west-1', $3) RETURNING id`,
        [orgId, `env-${e}`, String(100000000000 + e)],
      );
      const envId = env.rows[0]?.id ?? 0;
      envIds.push(envId);
      const repo = await client.query<{ id: number }>(
        `INSERT INTO iac_repositories (environment_id, name, repository_url, tool) VALUES ($1, $2, $3, 'terraform') RETURNING id`,
        [envId, `infra-${e}`, `https://git.example/infra-${e}.git`],
      );
      repoIds.push(repo.rows[0]?.id ?? 0);
    }
    const channel = await client.query<{ id: number }>(
      `INSERT INTO notification_channels (organization_id, name, channel_type, configuration)
       VALUES ($1, 'on-call email', 'email', '{"to":["oncall@example.com"]}') RETURNING id`,
      [orgId],
    );
    const channelId = channel.rows[0]?.id ?? 0;
    const model = await client.query<{ id: number }>(
      `INSERT INTO ml_models (name, version, model_type, framework, features, trained_at)
       VALUES ('seed-cause-model', $1, 'classification', 'xgboost', '[]', now()) RETURNING id`,
      [`seed-${Date.now().toString(36)}`],
    );
    const modelId = model.rows[0]?.id ?? 0;
    await ensureAuditMonths(client, startMs, now);

    const reserve = async (seq: string, n: number): Promise<number> => {
      const r = await client.query<{ first: string }>(
        `SELECT setval($1::regclass, nextval($1::regclass) + $2::bigint - 1) - $2::bigint + 1 AS first`,
        [seq, n],
      );
      return Number(r.rows[0]?.first ?? 0);
    };
    const resourceBase = await reserve('iac_resources_id_seq', envCount * perEnvResources);
    const firstDrift = await reserve('drift_events_id_seq', total);

    const drift = (i: number): Drift => {
      const day = Math.floor(i / options.perDay);
      const detectedMs = Math.min(startMs + day * DAY_MS + Math.floor(rnd(i, 1) * DAY_MS), now - 1000);
      const env = Math.floor(Math.pow(rnd(i, 2), 1.6) * envCount);
      const resource = Math.floor(rnd(i, 3) * perEnvResources);
      const ageDays = (now - detectedMs) / DAY_MS;
      const resolvedP = ageDays > 7 ? 0.995 : ageDays > 1 ? 0.9 : 0.5;
      const duration = Math.floor(Math.pow(rnd(i, 5), 3) * 5 * DAY_MS) + 60_000;
      const resolvedMs = rnd(i, 4) < resolvedP && detectedMs + duration < now ? detectedMs + duration : null;
      return {
        id: firstDrift + i,
        env,
        resource,
        type: resourceType(resource),
        detectedMs,
        resolvedMs,
        severity: Math.round(Math.pow(rnd(i, 6), 1.5) * 100) / 100,
        changes: 1 + Math.floor(rnd(i, 7) * 5),
      };
    };
    const address = (d: Drift) => `module.env${d.env}.${d.type.type}.r${d.resource}`;
    const physical = (d: Drift) => d.type.id(d.env * perEnvResources + d.resource);

    const indexes = await dropSecondaryIndexes(client, LOADED_TABLES);
    progress(`dropped ${indexes.length} secondary indexes for the load`);
    const rows: Record<string, number> = {};
    const copy = async (table: string, columns: string, count: number, gen: (i: number, out: string[]) => void) => {
      const t0 = Date.now();
      let n = 0;
      function* chunks(): Generator<string> {
        const out: string[] = [];
        for (let i = 0; i < count; i++) {
          gen(i, out);
          if (out.length >= 2000) {
            n += out.length;
            yield out.join('');
            out.length = 0;
          }
        }
        n += out.length;
        if (out.length > 0) yield out.join('');
      }
      await pipeline(Readable.from(chunks()), client.query(copyFrom(`COPY ${table} (${columns}) FROM STDIN`)));
      rows[table] = n;
      progress(`${table}: ${n.toLocaleString('en-US')} rows in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    };

    await copy(
      'iac_resources',
      'id, iac_repository_id, resource_type, resource_id, declared_state',
      envCount * perEnvResources,
      (i, out) => {
        const env = Math.floor(i / perEnvResources);
        const r = i % perEnvResources;
        const type = resourceType(r);
        out.push(
          row([resourceBase + i, repoIds[env] ?? 0, type.type, `module.env${env}.${type.type}.r${r}`, '{"managed":true}']),
        );
      },
    );
    await copy(
      'drift_events',
      `id, environment_id, iac_resource_id, drift_type, actual_state, declared_state, detected_at, resolved_at,
       resolution_type, severity_score, confidence_score, risk_assessment, tags, metadata, fingerprint, last_seen_at,
       seen_count, resource_key, source_scope, observed_at`,
      total,
      (i, out) => {
        const d = drift(i);
        const meta = JSON.stringify({
          resource: { address: address(d), type: d.type.type, name: `r${d.resource}`, physicalId: physical(d), provider: 'aws' },
          seenIn: { format: 'terraform-plan', scanner: 'seed' },
          securityRuleIds: d.severity >= 0.8 ? ['open-ingress'] : [],
        });
        out.push(
          row([
            d.id,
            envIds[d.env] ?? 0,
            resourceBase + d.env * perEnvResources + d.resource,
            pick(DRIFT_TYPES, rnd(i, 8)),
            `{"state":"live","rev":${i % 97}}`,
            `{"state":"declared","rev":${i % 89}}`,
            iso(d.detectedMs),
            d.resolvedMs === null ? null : iso(d.resolvedMs),
            d.resolvedMs === null ? null : pick(RESOLUTIONS, rnd(i, 9)),
            d.severity,
            Math.round((0.5 + rnd(i, 10) / 2) * 100) / 100,
            `{"security":${d.severity >= 0.8}}`,
            '{}',
            meta,
            `seed${d.id.toString(16)}`,
            iso(d.resolvedMs ?? d.detectedMs),
            1,
            `addr:${address(d)}`,
            'terraform:seed',
            iso(d.detectedMs),
          ]),
        );
      },
    );
    await copy(
      'drift_changes',
      'drift_event_id, property_path, declared_value, actual_value, change_type, is_security_critical, created_at',
      total,
      (i, out) => {
        const d = drift(i);
        for (let c = 0; c < d.changes; c++) {
          const path = d.type.paths[(i + c) % d.type.paths.length] ?? '/tags/Owner';
          const critical = d.severity >= 0.8 && c === 0;
          const declared = path.includes('cidr') ? '["10.0.0.0/16"]' : `"${path.split('/').at(-1) ?? 'v'}-declared-${i % 31}"`;
          const actual = path.includes('cidr')
            ? '["0.0.0.0/0"]'
            : `"${path.split('/').at(-1) ?? 'v'}-live-${(i * 7 + c) % 1013}"`;
          out.push(row([d.id, path, declared, actual, 'modified', critical, iso(d.detectedMs)]));
        }
      },
    );
    await copy(
      'drift_cause_analysis',
      'drift_event_id, cause_category, confidence_score, contributing_factors, temporal_context, user_attribution, analyzed_at',
      total,
      (i, out) => {
        const d = drift(i);
        out.push(
          row([
            d.id,
            pick(CAUSES, rnd(i, 11)),
            Math.round((0.4 + rnd(i, 12) * 0.6) * 100) / 100,
            '[{"factor":"audit_event","weight":0.4}]',
            '{"businessHours":true}',
            `{"actor":"user${i % 500}@example.com"}`,
            iso(d.detectedMs + 5_000),
          ]),
        );
      },
    );
    await copy(
      'ml_predictions',
      'drift_event_id, ml_model_id, prediction_result, prediction_metadata, predicted_at',
      total,
      (i, out) => {
        const d = drift(i);
        out.push(
          row([
            d.id,
            modelId,
            `{"cause":"${pick(CAUSES, rnd(i, 11))}","p":0.7}`,
            '{"version":"seed"}',
            iso(d.detectedMs + 4_000),
          ]),
        );
      },
    );
    await copy(
      'recommendations',
      `drift_event_id, recommendation_type, priority, confidence_score, rationale, implementation_steps, estimated_effort,
       recommended_by, created_at, implemented_at`,
      total,
      (i, out) => {
        if (rnd(i, 13) >= 0.7) return;
        const d = drift(i);
        const created = d.detectedMs + 10_000;
        const implemented = d.resolvedMs !== null && rnd(i, 14) < 0.55 ? d.resolvedMs : null;
        out.push(
          row([
            d.id,
            pick(REC_TYPES, rnd(i, 15)),
            pick(PRIORITIES, d.severity),
            0.8,
            `Revert ${d.type.type} to its declared state`,
            '[{"step":"terraform apply"}]',
            'minutes',
            'policy',
            iso(Math.min(created, now - 1)),
            implemented === null ? null : iso(implemented),
          ]),
        );
      },
    );
    await copy(
      'notifications',
      'drift_event_id, channel_id, notification_type, subject, message, priority, sent_at, delivered_at',
      total,
      (i, out) => {
        if (rnd(i, 16) >= 0.3) return;
        const d = drift(i);
        const sent = Math.min(d.detectedMs + 20_000, now - 1);
        out.push(
          row([
            d.id,
            channelId,
            'alert',
            `Drift on ${address(d)}`,
            'A drift was detected.',
            pick(PRIORITIES, d.severity),
            iso(sent),
            iso(sent),
          ]),
        );
      },
    );
    await copy(
      'correlation_events',
      'drift_event_id, correlation_type, external_id, external_system, event_data, correlation_score, temporal_offset, created_at',
      total,
      (i, out) => {
        if (rnd(i, 17) >= 0.6) return;
        const d = drift(i);
        out.push(
          row([
            d.id,
            'git_commit',
            hex(i, 12),
            'github',
            '{"repository":"infra"}',
            0.6,
            `-${Math.floor(rnd(i, 18) * 3600)} seconds`,
            iso(d.detectedMs),
          ]),
        );
      },
    );
    await copy('audit_log', 'timestamp, action, resource_type, resource_id, organization_id, new_values', total, (i, out) => {
      const d = drift(i);
      out.push(
        row([
          iso(d.detectedMs),
          'drift.detected',
          'drift_event',
          d.id,
          orgId,
          `{"driftType":"modified","env":${envIds[d.env] ?? 0}}`,
        ]),
      );
    });

    await client.query(`SELECT setval('iac_resources_id_seq', (SELECT max(id) FROM iac_resources))`);
    const t0 = Date.now();
    for (const def of indexes) await client.query(def);
    progress(`rebuilt ${indexes.length} indexes in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const t1 = Date.now();
    for (const table of [...LOADED_TABLES, 'audit_log']) await client.query(`VACUUM (ANALYZE) ${table}`);
    progress(`vacuumed and analyzed in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
    return { organizationId: orgId, environmentIds: envIds, driftEvents: total, firstDriftId: firstDrift, rows };
  } finally {
    await client.end();
  }
}

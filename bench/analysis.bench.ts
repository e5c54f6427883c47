/**
 * Analysis throughput: drifts per second from drift.detected published to drift.analyzed on
 * the bus (correlation over the window, risk, the active model's cause, the tables written, the
 * outbox relayed), with 100,000 context signals stored for the environment (CloudTrail calls
 * mostly, commits, deployments, alerts, incidents, maintenance windows over 30 days). Then the
 * latency of one cause prediction with the same model. Runs a real analysis service against
 * PostgreSQL (DATABASE_URL) and NATS (NATS_URL). Goals: ≥ 500 drifts/s, prediction p99 < 5 ms.
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { subjectFor } from '@driftguard/contracts';
import { sql } from 'kysely';
import {
  analyzeCause,
  CauseModel,
  generateScenarios,
  registerCauseModel,
  trainCauseModel,
} from '../services/analysis/src/ml/index.js';
import { messagesOn, startAnalysis, type AnalysisHarness } from '../services/analysis/test/analysis.harness.js';
import type { BenchRow } from './diff.bench.js';
import { signalMatchKeys } from '../services/analysis/src/correlation/signal-match.js';

const SIGNALS = 100_000;
/** Drifts analyzed (BENCH_DRIFTS overrides, for a quicker look). */
const DRIFTS = Number(process.env['BENCH_DRIFTS'] ?? 3000);
const INSTANCES = 5_000;
const DAY_MS = 86_400_000;
const PREDICTIONS = 2_000;

/** A small deterministic generator, so runs compare. */
function lcg(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}
/** 17 hex digits like EC2's; one per instance (`0xabc… + i` as a number would round many to one). */
const instanceId = (i: number) => `i-0abc${i.toString(16).padStart(13, '0')}`;

async function storeSignals(h: AnalysisHarness, now: number): Promise<void> {
  const rnd = lcg(7);
  const kinds: [string, number][] = [
    ['audit_event', 0.93],
    ['git_commit', 0.05],
    ['deployment', 0.01],
    ['alert', 0.007],
    ['incident', 0.002],
    ['maintenance', 0.001],
  ];
  const pick = () => {
    let x = rnd();
    for (const [k, p] of kinds) if ((x -= p) < 0) return k;
    return 'audit_event';
  };
  const rows = [];
  for (let i = 0; i < SIGNALS; i++) {
    const kind = pick();
    const at = new Date(now - rnd() * 30 * DAY_MS);
    const target = instanceId(Math.floor(rnd() * INSTANCES));
    const base = { organization_id: h.orgId, environment_id: h.envId, context_type: kind, occurred_at: at };
    if (kind === 'audit_event') {
      rows.push({
        ...base,
        external_system: 'cloudtrail',
        external_id: `evt-${i}`,
        actor: `arn:aws:sts::123456789012:assumed-role/Developer/user${i % 40}`,
        resource_refs: JSON.stringify([]),
        data: JSON.stringify({
          eventSource: 'ec2.amazonaws.com',
          eventName: 'ModifyInstanceAttribute',
          awsRegion: 'eu-west-1',
          userAgent: 'aws-cli/2.15.0 Python/3.11.6',
          userIdentity: { type: 'AssumedRole', arn: `arn:aws:sts::123456789012:assumed-role/Developer/user${i % 40}` },
          requestParameters: { instanceId: target, instanceType: { value: 'm5.xlarge' } },
          responseElements: { _return: true },
          summary: 'ec2.amazonaws.com ModifyInstanceAttribute',
          lastOccurredAt: at.toISOString(),
        }),
      });
    } else if (kind === 'git_commit') {
      rows.push({
        ...base,
        external_system: 'github',
        external_id: `acme/infra@${i.toString(16).padStart(40, '0')}`,
        actor: 'mona',
        resource_refs: JSON.stringify([`compute/web-${i % 300}.tf`]),
        data: JSON.stringify({ repository: 'acme/infra', message: 'change', lastOccurredAt: at.toISOString() }),
      });
    } else {
      rows.push({
        ...base,
        external_system: kind === 'alert' ? 'alertmanager' : kind === 'incident' ? 'pagerduty' : 'generic',
        external_id: `${kind}-${i}`,
        actor: null,
        resource_refs: JSON.stringify(['checkout-api']),
        data: JSON.stringify({
          status: 'resolved',
          title: `${kind} ${i}`,
          severity: 'warning',
          end: new Date(at.getTime() + 30 * 60_000).toISOString(),
          lastOccurredAt: at.toISOString(),
        }),
      });
    }
  }
  // The match keys analysis stores with each signal (storeSignal does the same), so resource
  // matching is measured through its index as in production.
  const withKeys = rows.map((r) => {
    const refs: unknown = JSON.parse(r.resource_refs);
    const data: unknown = JSON.parse(r.data);
    const names = Array.isArray(refs) ? refs.filter((x): x is string => typeof x === 'string') : [];
    return { ...r, match_keys: signalMatchKeys(names, data) };
  });
  for (let i = 0; i < withKeys.length; i += 5_000)
    await h.db
      .insertInto('context_signals')
      .values(withKeys.slice(i, i + 5_000))
      .execute();
  await sql`ANALYZE context_signals`.execute(h.db);
}

export async function run(): Promise<BenchRow[]> {
  const h = await startAnalysis('bench_analysis');
  try {
    const now = Date.now();
    const tStore = performance.now();
    await storeSignals(h, now);
    console.log(
      `analysis: stored ${SIGNALS.toLocaleString('en-US')} context signals in ${((performance.now() - tStore) / 1000).toFixed(1)} s`,
    );
    const trained = await trainCauseModel({ seed: 42, samples: 1800, folds: 2, evalSamples: 600 });
    await registerCauseModel(h.db, trained);

    const rnd = lcg(11);
    const drifts = [];
    for (let i = 0; i < DRIFTS; i++) {
      const physicalId = instanceId(Math.floor(rnd() * INSTANCES));
      const resource = {
        type: 'aws_instance',
        address: `aws_instance.web_${i}`,
        physicalId,
        source: `compute/web-${i % 300}.tf`,
      };
      const row = await h.db
        .insertInto('drift_events')
        .values({
          environment_id: h.envId,
          drift_type: 'modified',
          resource_key: `aws_instance.web_${i}`,
          metadata: JSON.stringify({ resource }),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      drifts.push({
        driftEventId: row.id,
        driftType: 'modified' as const,
        fingerprint: `fp-${i}`,
        resource,
        iacResourceId: null,
        changes: [
          {
            path: '/instance_type',
            declared: 'm5.large',
            actual: 'm5.xlarge',
            changeType: 'modified' as const,
            sensitive: false,
            securityRuleIds: [],
          },
        ],
        isSecurityCritical: false,
        detectedAt: new Date(now).toISOString(),
        observedAt: new Date(now - rnd() * 6 * DAY_MS).toISOString(),
      });
    }

    const subject = subjectFor('drift.analyzed.v1', h.orgId, h.envId, h.subjectRoot);
    const t0 = performance.now();
    for (let i = 0; i < drifts.length; i += 200)
      await Promise.all(drifts.slice(i, i + 200).map((d) => h.publish('drift.detected.v1', d)));
    const published = performance.now();
    for (;;) {
      if ((await messagesOn(h, subject)) >= DRIFTS) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const seconds = (performance.now() - t0) / 1000;
    const perSec = Math.round(DRIFTS / seconds);
    const correlated = await h.db
      .selectFrom('correlation_events')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    const note = `${DRIFTS} drifts against ${SIGNALS.toLocaleString('en-US')} signals in ${seconds.toFixed(1)} s (published in ${((published - t0) / 1000).toFixed(1)} s), ${(Number(correlated.n) / DRIFTS).toFixed(1)} correlations per drift; goal ≥ 500/s; load average ${loadavg()[0]!.toFixed(1)}`;
    console.log(`analysis throughput: ${perSec} drifts/s — ${note}`);

    const model = await CauseModel.load(trained.artifact, 'bench');
    const times: number[] = [];
    try {
      const inputs = generateScenarios(4242, PREDICTIONS).map((s) => s.input);
      for (const input of inputs.slice(0, 200)) analyzeCause(input, model);
      for (const input of inputs) {
        const s = performance.now();
        analyzeCause(input, model);
        times.push(performance.now() - s);
      }
    } finally {
      model.free();
    }
    times.sort((a, b) => a - b);
    const pct = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? 0;
    const latency = `p50 ${pct(0.5).toFixed(3)} ms, p99 ${pct(0.99).toFixed(3)} ms (goal p99 < 5 ms)`;
    console.log(`analysis prediction latency: ${latency}`);
    return [
      {
        bench: 'analysis end to end',
        engine: 'drift.detected → drift.analyzed',
        pairs: DRIFTS,
        opsPerSec: perSec,
        msPer1k: (seconds / DRIFTS) * 1e6,
        note,
      },
      {
        bench: 'analysis prediction',
        engine: 'xgboost (wasm) + contributions',
        pairs: PREDICTIONS,
        opsPerSec: Math.round(1000 / (times.reduce((a, b) => a + b, 0) / times.length)),
        msPer1k: (times.reduce((a, b) => a + b, 0) / times.length) * 1000,
        note: latency,
      },
    ];
  } finally {
    await h.stop();
  }
}

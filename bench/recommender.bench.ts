/**
 * Recommendations per second from drift.analyzed to recommendation.created, end to end: a real
 * recommender service (PostgreSQL as dg_recommender, NATS JetStream) consumes a burst of
 * analysed drifts (Terraform, Kubernetes and CloudFormation, codify / revert / accept / review)
 * and the clock stops when its outbox relay has published the last recommendation.created.
 * Goal: ≥ 1,000/s on a 2-core machine. DG_BENCH_RECOMMENDATIONS (default 5,000), DG_BENCH_POOL (20)
 * and DG_BENCH_CONCURRENCY (32) size the run.
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { streamName } from '@driftguard/bus';
import { subjectFor, type DataOf } from '@driftguard/contracts';
import { startRecommender, type RecommenderHarness } from '../services/recommender/test/recommender.harness.js';
import { analyzed, change, incident } from '../services/recommender/test/scenario.builders.js';
import type { BenchRow } from './diff.bench.js';

const DRIFTS = Number(process.env['DG_BENCH_RECOMMENDATIONS'] ?? 5_000);

/** A mix of what analysis sends: each tool, several causes and drift types. */
function scenario(i: number, driftEventId: number): DataOf<'drift.analyzed.v1'> {
  switch (i % 4) {
    case 0:
      return analyzed({
        driftEventId,
        resource: { type: 'aws_instance', address: `aws_instance.app_${i}`, name: `app_${i}` },
        changes: [change('/instance_type', 'm5.large', 'm5.2xlarge'), change('/tags/Owner', 'payments', 'checkout')],
        cause: 'emergency_fix',
        correlated: [incident('resolved')],
      });
    case 1:
      return analyzed({
        driftEventId,
        resource: { type: 'aws_security_group', address: `aws_security_group.sg_${i}`, name: `sg_${i}` },
        changes: [change('/ingress/0/cidr_blocks/0', '10.0.0.0/8', '0.0.0.0/0', { securityRuleIds: ['sg-open-to-world'] })],
      });
    case 2:
      return analyzed({
        driftEventId,
        resource: {
          type: 'apps/v1/Deployment',
          address: `apps/v1/Deployment/shop/web-${i}`,
          name: `web-${i}`,
          namespace: 'shop',
        },
        iacTool: 'kubernetes',
        changes: [change('/spec/replicas', 3, 8)],
        cause: 'automated_response',
        attribution: {
          principal: 'system:serviceaccount:kube-system:horizontal-pod-autoscaler',
          userAgent: null,
          source: 'kubernetes-audit',
          sourceId: `a-${i}`,
        },
      });
    default:
      return analyzed({
        driftEventId,
        resource: {
          type: 'AWS::S3::Bucket',
          address: `Bucket${i}`,
          name: `Bucket${i}`,
          source: 'arn:aws:cloudformation:eu-west-1:1:stack/shop/abc',
        },
        changes: [change('/VersioningConfiguration/Status', 'Enabled', 'Suspended')],
        cause: 'manual_troubleshooting',
        causeConfidence: 0.4,
      });
  }
}

async function openDrifts(h: RecommenderHarness, n: number): Promise<number[]> {
  const ids: number[] = [];
  for (let start = 0; start < n; start += 1000) {
    const rows = await h.db
      .insertInto('drift_events')
      .values(Array.from({ length: Math.min(1000, n - start) }, () => ({ environment_id: h.envId, drift_type: 'modified' })))
      .returning('id')
      .execute();
    ids.push(...rows.map((r) => r.id));
  }
  return ids;
}

async function published(h: RecommenderHarness): Promise<number> {
  const subject = subjectFor('recommendation.created.v1', h.orgId, h.envId, h.subjectRoot);
  const info = await h.bus.jsm.streams
    .info(streamName({ streamPrefix: h.streamPrefix }, 'RECOMMENDATION'), { subjects_filter: subject })
    .catch(() => undefined);
  return info?.state.subjects?.[subject] ?? 0;
}

export async function run(): Promise<BenchRow[]> {
  // A pool and concurrency above the defaults: the bench measures the service, not a 5-connection
  // test pool; policy overrides cached as the service does by default (tests read them every time).
  const h = await startRecommender('bench_recommender', {
    policyCacheMs: 5_000,
    poolMax: Number(process.env['DG_BENCH_POOL'] ?? 20),
    concurrency: Number(process.env['DG_BENCH_CONCURRENCY'] ?? 32),
    ...(process.env['DG_BENCH_BATCH'] ? { batch: Number(process.env['DG_BENCH_BATCH']) } : {}),
  });
  try {
    const ids = await openDrifts(h, DRIFTS);
    const events = ids.map((id, i) => scenario(i, id));
    const t0 = performance.now();
    for (let i = 0; i < events.length; i += 500)
      await Promise.all(events.slice(i, i + 500).map((e) => h.publish('drift.analyzed.v1', e)));
    const sent = performance.now();
    for (;;) {
      if ((await published(h)) >= DRIFTS) break;
      if (performance.now() - t0 > 600_000) throw new Error('recommendations not all published within 10 minutes');
      await new Promise((r) => setTimeout(r, 20));
    }
    const total = performance.now() - t0;
    const perSec = Math.round((DRIFTS / total) * 1000);
    const note = `publishing the analyses took ${((sent - t0) / 1000).toFixed(2)} s of ${(total / 1000).toFixed(2)} s (goal ≥ 1,000/s; load average ${loadavg()[0]?.toFixed(1) ?? '?'})`;
    console.log(
      `recommender: ${DRIFTS} drift.analyzed → recommendation.created in ${(total / 1000).toFixed(2)} s, ${perSec}/s; ${note}`,
    );
    return [
      {
        bench: 'recommender end to end',
        engine: 'PostgreSQL + JetStream',
        pairs: DRIFTS,
        opsPerSec: perSec,
        msPer1k: (total / DRIFTS) * 1000,
        note,
      },
    ];
  } finally {
    await h.stop();
  }
}

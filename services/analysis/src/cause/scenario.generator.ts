import { CauseCategory, type DriftType } from '@driftguard/contracts';
import type { ActorKind, Channel } from './actor.classify.js';
import type { AlertSignal, CauseInput, IncidentSignal } from './cause-input.js';
import type { PropertyKind, ResourceKind } from './resource-kinds.js';
import { sampleActor, samplePath, sampleResourceType } from './scenario-vocabulary.js';
import { seededRandom, type Random } from './seeded-random.js';

/** One synthetic drift and the cause it was generated for. */
export interface LabelledScenario {
  input: CauseInput;
  cause: CauseCategory;
}

type W<K> = readonly (readonly [K, number])[];

/**
 * How drifts of one cause tend to look. Each is a set of probabilities, written from how such
 * changes show up in audit trails and incident tools, and deliberately overlapping: people fix
 * things during incidents without them being emergency fixes, autoscalers act with no alert,
 * security teams work outside incidents, and a fifth of all changes have no audit event. The
 * classes are therefore not separable by any single feature.
 */
interface Profile {
  incident: number; // P(an incident is active at the change)
  severity: W<IncidentSignal['severity']>;
  securityIncident: number;
  alert: number; // P(an alert is firing at the change)
  alertCategory: W<AlertSignal['category']>;
  deployment: number;
  failedDeployment: number;
  maintenance: number;
  actor: W<ActorKind>;
  channel: W<Channel>;
  role?: string[];
  resource: W<ResourceKind>;
  property: W<PropertyKind>;
  securityRules: number;
  commit: number;
  revert: number;
  offHours: number;
  driftType: W<DriftType>;
}

const HUMAN_CHANNELS: W<Channel> = [
  ['console', 5],
  ['cli', 4],
  ['sdk', 1],
];
const MODIFIED: W<DriftType> = [['modified', 1]];

const PROFILES: Record<CauseCategory, Profile> = {
  emergency_fix: {
    incident: 0.85,
    severity: [
      [1, 5],
      [2, 4],
      [3, 1],
    ],
    securityIncident: 0.05,
    alert: 0.5,
    alertCategory: [
      ['load', 4],
      ['error', 3],
      ['availability', 2],
      ['latency', 1],
    ],
    deployment: 0.2,
    failedDeployment: 0.5,
    maintenance: 0.03,
    actor: [
      ['human', 0.86],
      ['unknown', 0.12],
      ['iac_pipeline', 0.02],
    ],
    channel: [
      ['console', 5],
      ['cli', 4],
      ['sdk', 1],
    ],
    role: ['OnCall', 'SRE', 'AdministratorAccess', 'IncidentResponder'],
    resource: [
      ['compute', 4],
      ['database', 2],
      ['network', 1.5],
      ['k8s_workload', 1.5],
      ['storage', 1],
    ],
    property: [
      ['size', 4],
      ['count', 2.5],
      ['network', 1.5],
      ['config', 2],
    ],
    securityRules: 0.05,
    commit: 0.06,
    revert: 0.12,
    offHours: 0.45,
    driftType: MODIFIED,
  },
  manual_troubleshooting: {
    incident: 0.2,
    severity: [
      [3, 2],
      [4, 3],
      [5, 1],
    ],
    securityIncident: 0.02,
    alert: 0.72,
    alertCategory: [
      ['error', 4],
      ['latency', 3],
      ['availability', 2],
      ['other', 1],
    ],
    deployment: 0.15,
    failedDeployment: 0.3,
    maintenance: 0.03,
    actor: [
      ['human', 0.85],
      ['unknown', 0.15],
    ],
    channel: HUMAN_CHANNELS,
    resource: [
      ['compute', 3],
      ['k8s_workload', 3],
      ['database', 2],
      ['network', 1],
    ],
    property: [
      ['logging', 4.5],
      ['config', 3],
      ['size', 1],
      ['network', 1],
    ],
    securityRules: 0.03,
    commit: 0.05,
    revert: 0.35,
    offHours: 0.25,
    driftType: MODIFIED,
  },
  security_response: {
    incident: 0.55,
    severity: [
      [1, 3],
      [2, 4],
      [3, 2],
    ],
    securityIncident: 0.9,
    alert: 0.45,
    alertCategory: [
      ['security', 8],
      ['error', 1],
    ],
    deployment: 0.05,
    failedDeployment: 0.2,
    maintenance: 0.02,
    actor: [
      ['human', 0.85],
      ['unknown', 0.15],
    ],
    channel: HUMAN_CHANNELS,
    role: ['SecurityTeam', 'IncidentResponder', 'AdministratorAccess'],
    resource: [
      ['security', 6],
      ['iam', 2.5],
      ['storage', 1],
      ['network', 0.5],
    ],
    property: [
      ['security', 8.5],
      ['network', 1],
      ['other', 0.5],
    ],
    securityRules: 0.6,
    commit: 0.05,
    revert: 0.05,
    offHours: 0.4,
    driftType: [
      ['modified', 8],
      ['deleted', 2],
    ],
  },
  configuration_error: {
    incident: 0.07,
    severity: [
      [3, 1],
      [4, 2],
    ],
    securityIncident: 0.05,
    alert: 0.12,
    alertCategory: [
      ['error', 2],
      ['other', 2],
      ['latency', 1],
    ],
    deployment: 0.35,
    failedDeployment: 0.5,
    maintenance: 0.08,
    actor: [
      ['human', 0.68],
      ['iac_pipeline', 0.17],
      ['unknown', 0.15],
    ],
    channel: [
      ['console', 4],
      ['cli', 3],
      ['sdk', 2],
    ],
    resource: [
      ['compute', 2],
      ['network', 2],
      ['database', 1.5],
      ['storage', 1.5],
      ['security', 1],
      ['other', 1],
      ['iam', 1],
    ],
    property: [
      ['size', 2],
      ['config', 3],
      ['network', 2],
      ['tags', 1.5],
      ['security', 1],
      ['count', 1],
    ],
    securityRules: 0.12,
    commit: 0.25,
    revert: 0.1,
    offHours: 0.35,
    driftType: [
      ['modified', 8],
      ['added', 1],
      ['deleted', 1],
    ],
  },
  automated_response: {
    incident: 0.12,
    severity: [
      [2, 1],
      [3, 2],
    ],
    securityIncident: 0.02,
    alert: 0.6,
    alertCategory: [
      ['load', 6],
      ['latency', 2],
      ['availability', 1],
    ],
    deployment: 0.1,
    failedDeployment: 0.2,
    maintenance: 0.03,
    actor: [
      ['aws_service', 0.5],
      ['k8s_controller', 0.36],
      ['unknown', 0.14],
    ],
    channel: [['automation', 1]],
    resource: [
      ['compute', 5],
      ['k8s_workload', 4],
      ['database', 1],
    ],
    property: [
      ['count', 7],
      ['size', 1.5],
      ['tags', 1.5],
    ],
    securityRules: 0.01,
    commit: 0.03,
    revert: 0.3,
    offHours: 0.4,
    driftType: MODIFIED,
  },
  unknown: {
    incident: 0.04,
    severity: [
      [3, 1],
      [4, 2],
    ],
    securityIncident: 0.05,
    alert: 0.08,
    alertCategory: [
      ['other', 2],
      ['error', 1],
    ],
    deployment: 0.1,
    failedDeployment: 0.2,
    maintenance: 0.05,
    actor: [
      ['unknown', 0.85],
      ['human', 0.15],
    ],
    channel: HUMAN_CHANNELS,
    resource: [
      ['other', 2],
      ['compute', 1],
      ['storage', 1],
      ['network', 1],
      ['database', 1],
    ],
    property: [
      ['tags', 4],
      ['other', 3],
      ['config', 2],
      ['size', 1],
    ],
    securityRules: 0.02,
    commit: 0.08,
    revert: 0.1,
    offHours: 0.35,
    driftType: [
      ['modified', 6],
      ['added', 2.5],
      ['deleted', 1.5],
    ],
  },
};

const MINUTE = 60_000;
const at = (t: number, minutes: number) => new Date(t + minutes * MINUTE).toISOString();

function sample(r: Random, cause: CauseCategory): CauseInput {
  const p = PROFILES[cause];
  // A weekday or weekend date in 2025–2026; hour drawn from business or off hours.
  const day = Date.UTC(2025, 0, 1) + r.int(0, 729) * 24 * 60 * MINUTE;
  const hour = r.chance(p.offHours) ? r.pick([0, 1, 2, 3, 4, 5, 6, 7, 19, 20, 21, 22, 23]) : r.int(8, 18);
  const t = day + hour * 60 * MINUTE + r.int(0, 59) * MINUTE;
  const actorKind = r.weighted(p.actor);
  const channel: Channel = actorKind === 'human' ? r.weighted(p.channel) : actorKind === 'iac_pipeline' ? 'terraform' : 'unknown';
  const property = r.weighted(p.property);
  const paths = [samplePath(r, property), ...(r.chance(0.3) ? [samplePath(r, r.weighted(p.property))] : [])];
  // Signals of the cause happen around the change; unrelated ones (the `else`) happen hours away.
  const incidents: IncidentSignal[] = [];
  if (r.chance(p.incident)) {
    incidents.push({
      startedAt: at(t, -r.int(5, 240)),
      endedAt: r.chance(0.4) ? null : at(t, r.int(10, 300)),
      severity: r.weighted(p.severity),
      security: r.chance(p.securityIncident),
    });
  } else if (r.chance(0.15)) {
    incidents.push({
      startedAt: at(t, -r.int(400, 5000)),
      endedAt: at(t, -r.int(60, 390)),
      severity: r.pick([2, 3, 4] as const),
      security: r.chance(0.1),
    });
  }
  const alerts: AlertSignal[] = [];
  if (r.chance(p.alert))
    alerts.push({
      startedAt: at(t, -r.int(2, 90)),
      endedAt: r.chance(0.5) ? null : at(t, r.int(5, 120)),
      category: r.weighted(p.alertCategory),
    });
  else if (r.chance(0.2))
    alerts.push({
      startedAt: at(t, -r.int(200, 3000)),
      endedAt: at(t, -r.int(30, 190)),
      category: r.pick(['load', 'error', 'other'] as const),
    });
  const deployed = r.chance(p.deployment);
  return {
    driftType: r.weighted(p.driftType),
    detectedAt: at(t, r.int(5, 600)),
    changedAt: actorKind === 'unknown' ? null : at(t, 0),
    resourceType: sampleResourceType(r, r.weighted(p.resource)),
    changedPaths: paths,
    securityRules: r.chance(p.securityRules)
      ? { ids: ['DG-SEC-001', 'DG-SEC-004'].slice(0, r.int(1, 2)), critical: r.chance(0.5) }
      : { ids: [], critical: false },
    revertedToEarlierValue: r.chance(p.revert),
    actor: sampleActor(r, actorKind, channel, p.role ? r.pick(p.role) : undefined),
    incidents,
    alerts,
    deployments: deployed
      ? [{ startedAt: at(t, -r.int(0, 100)), endedAt: at(t, -r.int(-20, 0)), succeeded: !r.chance(p.failedDeployment) }]
      : [],
    maintenance: r.chance(p.maintenance) ? [{ startedAt: at(t, -r.int(10, 120)), endedAt: at(t, r.int(10, 120)) }] : [],
    commits: r.chance(p.commit) ? [{ committedAt: at(t, r.int(-120, 120)), touchedDeclaringFile: true }] : [],
    history: sampleHistory(r, cause),
  };
}

/** Prior drifts of the environment: environments repeat their habits, weakly. */
function sampleHistory(r: Random, cause: CauseCategory): Partial<Record<CauseCategory, number>> {
  const history: Partial<Record<CauseCategory, number>> = {};
  for (const c of CauseCategory.options) history[c] = r.int(0, 4) + (c === cause && r.chance(0.5) ? r.int(0, 4) : 0);
  return history;
}

/**
 * `samples` labelled drifts, balanced across the six causes and shuffled, reproducible from
 * `seed`. Used to train the first model and, with another seed, to evaluate it.
 */
export function generateScenarios(seed: number, samples: number): LabelledScenario[] {
  const r = seededRandom(seed);
  const causes = CauseCategory.options;
  const out: LabelledScenario[] = [];
  for (let i = 0; i < samples; i++) {
    const cause = causes[i % causes.length] ?? 'unknown';
    out.push({ cause, input: sample(r, cause) });
  }
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(r.next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

import type { DataOf, RecommendationRisk, RecommendationType } from '@driftguard/contracts';
import type { DriftView } from '../drift-view.js';
import type { PolicyFacts } from '../policy/policy-facts.js';

type Analyzed = DataOf<'drift.analyzed.v1'>;

const BASE_SUCCESS: Record<RecommendationType, number> = {
  auto_revert: 0.9,
  codify_iac: 0.85,
  accept_exception: 0.95,
  escalate_review: 0.75,
  manual_review: 0.7,
};

const round2 = (x: number) => Math.round(Math.min(1, Math.max(0, x)) * 100) / 100;

/** How far a mistake reaches, by the kind of resource. */
function blastRadius(type: string): RecommendationRisk['blastRadius'] {
  if (/organizations?_|::Organizations::/i.test(type)) return 'organization';
  if (
    /iam|role|policy|security_?group|SecurityGroup|network|vpc|subnet|route|firewall|ClusterRole|Namespace|NetworkPolicy/i.test(
      type,
    )
  )
    return 'environment';
  if (
    /db|rds|database|table|cluster|load_?balancer|lb|Deployment|StatefulSet|DaemonSet|Service|Ingress|autoscaling|function/i.test(
      type,
    )
  )
    return 'service';
  return 'resource';
}

/** Reasons analysis gave per risk dimension (security, performance, cost, compliance). */
function analysisReasons(data: Analyzed): string[] {
  const out: string[] = [];
  for (const dim of ['security', 'performance', 'cost', 'compliance']) {
    const d = data.riskAssessment[dim];
    if (d && typeof d === 'object' && !Array.isArray(d) && Array.isArray(d['reasons']))
      for (const r of d['reasons']) if (typeof r === 'string') out.push(`${dim}: ${r}`);
  }
  return out;
}

/** What following the recommendation may cause, how likely it works, and how far a mistake reaches. */
export function riskOf(
  type: RecommendationType,
  data: Analyzed,
  view: DriftView,
  facts: PolicyFacts,
  plan: { declaredFound: boolean; omittedChanges: number },
): RecommendationRisk {
  let p = BASE_SUCCESS[type];
  const impacts: string[] = [];
  const who = data.attribution?.principal ?? 'whoever made it';
  const paths = view.changedPaths.slice(0, 5).join(', ');
  switch (type) {
    case 'auto_revert':
      impacts.push(`undoes ${who}'s change${paths ? ` to ${paths}` : ''}: anything that relies on it breaks`);
      if (facts.incident === 'resolved') impacts.push("may undo the incident's mitigation");
      if (facts.production) p -= 0.05;
      break;
    case 'codify_iac':
      impacts.push('the next apply keeps the live values instead of reverting them');
      if (!plan.declaredFound && view.driftType === 'modified') p -= 0.15;
      break;
    case 'accept_exception':
      impacts.push(`later changes to ${paths || 'these properties'} are no longer reported`);
      break;
    case 'escalate_review':
    case 'manual_review':
      impacts.push('the drift stays in place until someone decides');
      if (facts.securityCritical) impacts.push('a security-critical change stays live meanwhile');
      break;
    default: {
      const never: never = type;
      throw new Error(`unknown recommendation type ${String(never)}`);
    }
  }
  if (plan.omittedChanges > 0) p -= 0.1;
  p *= 0.75 + 0.25 * data.cause.confidence;
  return {
    successProbability: round2(p),
    potentialImpacts: [...impacts, ...analysisReasons(data)].slice(0, 10),
    blastRadius: blastRadius(view.resource.type),
  };
}

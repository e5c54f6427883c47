import type { CauseCategory } from '@driftguard/contracts';
import { evidenceOf } from './cause-features.js';
import type { CauseFeatures } from './feature-names.js';

/** A transparent rule: when `when` holds, the cause is `cause` with a fixed, conservative confidence. */
export interface CauseRule {
  id: string;
  /** What the rule says, shown to the engineer as the reason. */
  description: string;
  cause: CauseCategory;
  confidence: number;
  when: (f: CauseFeatures) => boolean;
}

const human = (f: CauseFeatures) => f.actor_human === 1;
const duringIncident = (f: CauseFeatures) => f.incident_active === 1;
const firing = (f: CauseFeatures) => f.alert_active === 1;

/**
 * The rules that decide while no model is active (or the model fails), first match wins. Their
 * confidences are deliberately modest priors, not calibrated probabilities: they only claim
 * what an engineer reading the same facts would claim.
 */
export const CAUSE_RULES: readonly CauseRule[] = [
  {
    id: 'automation-principal',
    description: 'changed by a cloud service principal or a Kubernetes controller',
    cause: 'automated_response',
    confidence: 0.75,
    when: (f) => f.actor_aws_service === 1 || f.actor_k8s_controller === 1,
  },
  {
    id: 'security-signal-security-change',
    description: 'a security property changed during a security incident or security alert',
    cause: 'security_response',
    confidence: 0.7,
    when: (f) =>
      (f.incident_security === 1 || f.alert_security === 1) &&
      (f.prop_security === 1 || f.resource_security === 1 || f.resource_iam === 1),
  },
  {
    id: 'person-during-severe-incident',
    description: 'a person changed it during a SEV1/SEV2 incident with no commit to the declaring file',
    cause: 'emergency_fix',
    confidence: 0.65,
    when: (f) => human(f) && duringIncident(f) && f.incident_severity >= 0.8 && f.commit_touched_file === 0,
  },
  {
    id: 'person-while-alert-fires',
    description: 'a person changed logging or configuration, or undid a value, while an alert fired',
    cause: 'manual_troubleshooting',
    confidence: 0.55,
    when: (f) =>
      human(f) && (firing(f) || duringIncident(f)) && (f.prop_logging === 1 || f.prop_config === 1 || f.reverted === 1),
  },
  {
    id: 'person-without-operational-reason',
    description: 'a person changed it outside IaC with no incident, alert or maintenance to explain it',
    cause: 'configuration_error',
    confidence: 0.5,
    when: (f) => human(f) && !duringIncident(f) && !firing(f) && f.maint_active === 0,
  },
  {
    id: 'pipeline-applied-other-code',
    description: 'an IaC pipeline role applied a configuration the declared state does not hold',
    cause: 'configuration_error',
    confidence: 0.45,
    when: (f) => f.actor_iac_pipeline === 1,
  },
];

/** Answer when no rule matches: there is not enough evidence to name a cause. */
export const FALLBACK_RULE: Omit<CauseRule, 'when'> = {
  id: 'no-evidence',
  description: 'nothing correlated with the change explains it',
  cause: 'unknown',
  confidence: 0.3,
};

/** Applies the rules; with no evidence at all the answer is `unknown` whatever else matched. */
export function applyRules(f: CauseFeatures): Omit<CauseRule, 'when'> {
  if (evidenceOf(f).length === 0) return FALLBACK_RULE;
  const rule = CAUSE_RULES.find((r) => r.when(f));
  return rule ?? FALLBACK_RULE;
}

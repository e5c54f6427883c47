import { RecommendationPolicyDocument } from '@driftguard/contracts';

/**
 * Properties an autoscaler or a controller owns: the count it sets is the point, so declaring
 * it in code only makes the two fight.
 */
export const MANAGED_COUNT_PATHS = [
  '/desired_capacity',
  '/desired_count',
  '/desired_size',
  '/scaling_config/*/desired_size',
  '/node_count',
  '/spec/replicas',
  '/DesiredCapacity',
  '/DesiredCount',
  '/ScalingConfig/DesiredSize',
];

/**
 * The product's policy, the one a senior engineer would choose. Rules are tried in order and the
 * first match decides; an organization's or environment's override is tried before these.
 * Version 0 stands for "the defaults" in recommendation.created.
 */
export const DEFAULT_POLICY: RecommendationPolicyDocument = RecommendationPolicyDocument.parse({
  rules: [
    {
      id: 'security-response-open-incident',
      description: "a security team's response during a security incident goes to the security reviewers",
      when: { causes: ['security_response'], minCauseConfidence: 0.5, incident: ['open'] },
      then: { recommendationType: 'escalate_review', priority: 'high', estimatedEffort: 'hours', expiresIn: '3d' },
    },
    {
      id: 'open-incident',
      description: 'nobody reverts a live mitigation: review once the incident is over',
      when: { incident: ['open'] },
      then: { recommendationType: 'manual_review', priority: 'high', estimatedEffort: 'hours', expiresIn: '3d' },
    },
    {
      id: 'security-critical-production',
      description: 'a security-critical drift in production outside any incident or change window is reverted',
      when: {
        securityCritical: true,
        production: true,
        incident: ['none'],
        changeWindow: false,
        driftTypes: ['modified', 'deleted'],
      },
      then: {
        recommendationType: 'auto_revert',
        priority: 'critical',
        estimatedEffort: 'minutes',
        expiresIn: '1d',
        unattended: true,
      },
    },
    {
      id: 'security-critical-unmanaged',
      description: 'an unmanaged resource that opens a hole needs its owner found before anything else',
      when: { securityCritical: true, driftTypes: ['added'] },
      then: { recommendationType: 'escalate_review', priority: 'high', estimatedEffort: 'hours', expiresIn: '3d' },
    },
    {
      id: 'security-critical-change-window',
      description: 'a security-critical change made in a change window may be planned: the security reviewers confirm',
      when: { securityCritical: true, changeWindow: true },
      then: { recommendationType: 'escalate_review', priority: 'high', estimatedEffort: 'hours', expiresIn: '3d' },
    },
    {
      id: 'controller-managed-count',
      description: 'an autoscaler or controller changing a count it manages is expected: ignore that property',
      when: { principalKinds: ['controller', 'service', 'automation'], changedPaths: MANAGED_COUNT_PATHS },
      then: { recommendationType: 'accept_exception', priority: 'low', estimatedEffort: 'minutes', expiresIn: '30d' },
    },
    {
      id: 'automated-count',
      description: 'an automated response that only moved a managed count is expected: ignore that property',
      when: { causes: ['automated_response'], minCauseConfidence: 0.5, changedPaths: MANAGED_COUNT_PATHS },
      then: { recommendationType: 'accept_exception', priority: 'low', estimatedEffort: 'minutes', expiresIn: '30d' },
    },
    {
      id: 'unmanaged-resource',
      description: 'an unmanaged resource is imported into the code',
      when: { driftTypes: ['added'] },
      then: { recommendationType: 'codify_iac', priority: 'medium', estimatedEffort: 'hours', expiresIn: '14d' },
    },
    {
      id: 'moved-resource',
      description: 'a resource now under another address gets a moved block',
      when: { driftTypes: ['moved'] },
      then: { recommendationType: 'codify_iac', priority: 'low', estimatedEffort: 'minutes', expiresIn: '14d' },
    },
    {
      id: 'low-confidence',
      description: 'a cause analysis that is not sure leaves the decision to a person',
      when: { maxCauseConfidence: 0.5 },
      then: { recommendationType: 'manual_review', priority: 'medium', estimatedEffort: 'hours', expiresIn: '7d' },
    },
    {
      id: 'emergency-fix-codify',
      description: 'an emergency fix outlived its incident: the fix is probably right, the code is behind',
      when: { causes: ['emergency_fix'], incident: ['resolved', 'none'] },
      then: { recommendationType: 'codify_iac', priority: 'high', estimatedEffort: 'hours', expiresIn: '7d' },
    },
    {
      id: 'security-response-codify',
      description: 'a hardening by the security team after the fact belongs in the code',
      when: { causes: ['security_response'], securityCritical: false },
      then: { recommendationType: 'codify_iac', priority: 'high', estimatedEffort: 'hours', expiresIn: '7d' },
    },
    {
      id: 'security-critical-revert',
      description: 'a security-critical drift outside production is reverted by its owner',
      when: { securityCritical: true, driftTypes: ['modified', 'deleted'] },
      then: { recommendationType: 'auto_revert', priority: 'high', estimatedEffort: 'minutes', expiresIn: '3d' },
    },
    {
      id: 'configuration-error-revert',
      description: 'a configuration mistake is reverted to what the code declares',
      when: { causes: ['configuration_error'], driftTypes: ['modified', 'deleted'] },
      then: { recommendationType: 'auto_revert', priority: 'medium', estimatedEffort: 'minutes', expiresIn: '7d' },
    },
    {
      id: 'troubleshooting-leftover-revert',
      description: 'a change left behind by troubleshooting is reverted once its author agrees',
      when: { causes: ['manual_troubleshooting'], driftTypes: ['modified', 'deleted'] },
      then: { recommendationType: 'auto_revert', priority: 'medium', estimatedEffort: 'minutes', expiresIn: '7d' },
    },
    {
      id: 'fallback',
      description: 'nothing else fits: a person decides',
      when: {},
      then: { recommendationType: 'manual_review', priority: 'medium', estimatedEffort: 'hours', expiresIn: '7d' },
    },
  ],
});

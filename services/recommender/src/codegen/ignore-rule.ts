import type { RecommendationStep, ResourceIdentity } from '@driftguard/contracts';

/**
 * The DriftGuard ignore rules (table `ignore_rules`, syntax `json_pointer`) that stop reporting
 * these properties of this resource, as the JSON body an engineer files with the api.
 */
export function ignoreRuleStep(resource: ResourceIdentity, paths: readonly string[], reason: string): RecommendationStep {
  const address = resource.address ?? resource.physicalId ?? resource.name ?? resource.type;
  const rules = paths.map((path) => ({
    syntax: 'json_pointer',
    resourceType: resource.type,
    addressPattern: address,
    propertyPath: path,
    reason,
  }));
  return {
    title: 'Add a DriftGuard ignore rule',
    text: `Stop reporting ${paths.join(', ')} of ${address}: file ${rules.length === 1 ? 'this ignore rule' : 'these ignore rules'} (JSON pointer syntax) for the environment.`,
    patch: { format: 'json', content: `${JSON.stringify(rules, null, 2)}\n` },
  };
}

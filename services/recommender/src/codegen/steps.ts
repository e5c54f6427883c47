import type { RecommendationStep, RecommendationType } from '@driftguard/contracts';
import { cloudformationSteps } from './cloudformation.steps.js';
import { kubernetesSteps } from './kubernetes.steps.js';
import type { PlanInput } from './plan-input.js';
import { terraformSteps } from './terraform.steps.js';

/** The ordered steps of a recommendation for the drift's IaC tool, with a closing note when changes were left out. */
export function stepsFor(type: RecommendationType, input: PlanInput): RecommendationStep[] {
  let steps: RecommendationStep[];
  switch (input.tool) {
    case 'terraform':
      steps = terraformSteps(type, input);
      break;
    case 'kubernetes':
      steps = kubernetesSteps(type, input);
      break;
    case 'cloudformation':
      steps = cloudformationSteps(type, input);
      break;
    default: {
      const never: never = input.tool;
      throw new Error(`unknown IaC tool ${String(never)}`);
    }
  }
  if (input.omittedChanges > 0)
    steps.push({
      title: 'Mind the other changes',
      text: `${input.omittedChanges} more changed properties of this drift were too many for the event: see them in the drift's details before acting.`,
    });
  return steps;
}

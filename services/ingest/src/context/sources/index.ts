import type { ContextSource } from '@driftguard/contracts';
import type { SourceParser } from '../context-signal.js';
import { parseAlertmanager } from './alertmanager.source.js';
import { parseCloudTrail } from './cloudtrail.source.js';
import { parseGeneric } from './generic.source.js';
import { parseGitHub } from './github.source.js';
import { parseKubernetesAudit } from './kubernetes-audit.source.js';
import { parsePagerDuty } from './pagerduty.source.js';

/** The parser of each context source; a new source must be placed here. */
export const SOURCE_PARSERS: Record<ContextSource, SourceParser> = {
  github: parseGitHub,
  pagerduty: parsePagerDuty,
  alertmanager: parseAlertmanager,
  cloudtrail: parseCloudTrail,
  'kubernetes-audit': parseKubernetesAudit,
  deployment: parseGeneric,
  maintenance: parseGeneric,
  incident: parseGeneric,
};

import { z } from 'zod';
import { CauseCategory, ChannelType, CloudProvider, DriftType, IacTool, ModelType, Priority, ResolutionType } from '../enums.js';
import { IntegrationSource } from '../context-sources/index.js';
import { CmdMaintenanceWindowCreateV1Data, SilenceMatcher } from '../events/command.js';

/** Bodies of the api's control plane (`/v1/environments`, `/v1/drifts`, …); the api's route schemas. */

const Slug = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[a-z0-9][a-z0-9-]*$/, { error: 'expected a slug: lower-case letters, digits and dashes' });
const Tags = z.record(z.string().max(100), z.string().max(500));
const Timestamp = z.iso.datetime({ offset: true });

/** How critical an environment is; kept in its tags as `tier`. */
export const EnvironmentTier = z.enum(['production', 'staging', 'development', 'sandbox']);

export const EnvironmentView = z.object({
  id: z.number().int(),
  slug: z.string(),
  name: z.string(),
  cloudProvider: CloudProvider,
  region: z.string().nullable(),
  accountId: z.string().nullable(),
  tags: Tags,
  tier: EnvironmentTier.nullable(),
  isActive: z.boolean(),
});
export type EnvironmentView = z.infer<typeof EnvironmentView>;
export const EnvironmentList = z.object({ items: z.array(EnvironmentView) });

export const CreateEnvironmentBody = z.strictObject({
  slug: Slug,
  name: z.string().trim().min(1).max(255).optional(),
  cloudProvider: CloudProvider,
  region: z.string().trim().min(1).max(50).optional(),
  accountId: z.string().trim().min(1).max(50).optional(),
  tags: Tags.optional(),
  tier: EnvironmentTier.optional(),
});
export const UpdateEnvironmentBody = z
  .strictObject({
    name: z.string().trim().min(1).max(255).optional(),
    region: z.string().trim().min(1).max(50).nullable().optional(),
    accountId: z.string().trim().min(1).max(50).nullable().optional(),
    tags: Tags.optional(),
    tier: EnvironmentTier.nullable().optional(),
    isActive: z.boolean().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { error: 'nothing to change' });

export const OrganizationView = z.object({ id: z.number().int(), slug: z.string(), name: z.string() });
export const UpdateOrganizationBody = z.strictObject({ name: z.string().trim().min(1).max(255) });

export const RepositoryView = z.object({
  id: z.number().int(),
  environmentId: z.number().int(),
  name: z.string(),
  tool: IacTool,
  url: z.string().nullable(),
  branch: z.string(),
  lastSyncAt: z.string().nullable(),
  /** Credentials are write-only: only whether some are stored is ever shown. */
  hasCredentials: z.boolean(),
});
export const RepositoryList = z.object({ items: z.array(RepositoryView) });
export const CreateRepositoryBody = z.strictObject({
  environment: Slug,
  tool: IacTool,
  name: z.string().trim().min(1).max(255).optional(),
  url: z.string().trim().min(1).max(500).optional(),
  branch: z.string().trim().min(1).max(100).optional(),
  credentials: z.string().min(1).max(10_000).optional(),
});
export const UpdateRepositoryBody = z
  .strictObject({
    name: z.string().trim().min(1).max(255).optional(),
    /** null: upload-only from now on (no git sync). */
    url: z.string().trim().min(1).max(500).nullable().optional(),
    branch: z.string().trim().min(1).max(100).optional(),
    /** Replaces the stored credentials (write-only, never shown); null removes them. */
    credentials: z.string().min(1).max(10_000).nullable().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { error: 'nothing to change' });
export const SyncAccepted = z.object({ repositoryId: z.number().int(), commandId: z.string() });
/** What a delete answers: the id of what is gone. */
export const Deleted = z.object({ id: z.union([z.number().int(), z.string()]), deleted: z.literal(true) });
/** An integration's id (a UUID) in a path. */
export const UuidParams = z.strictObject({ id: z.uuid() });

/** A signed context source; its signing secret is write-only and never shown. */
export const IntegrationView = z.object({
  id: z.string(),
  environmentId: z.number().int(),
  source: IntegrationSource,
  keyId: z.string(),
  createdAt: z.string(),
});
export const CreateIntegrationBody = z.strictObject({
  environment: Slug,
  source: IntegrationSource,
  secret: z.string().min(16).max(1024),
});
export const IntegrationList = z.object({ items: z.array(IntegrationView) });
/** Rotates an integration's signing secret (write-only): the source must sign with the new one from now on. */
export const UpdateIntegrationBody = z.strictObject({ secret: z.string().min(16).max(1024) });

export const ChannelView = z.object({
  id: z.number().int(),
  name: z.string(),
  type: ChannelType,
  isDefault: z.boolean(),
  /** The configuration with every secret field replaced by a marker. */
  configuration: z.record(z.string(), z.unknown()),
  isActive: z.boolean(),
});
export const ChannelList = z.object({ items: z.array(ChannelView) });
export const CreateChannelBody = z.strictObject({
  name: z.string().min(1).max(255),
  type: ChannelType,
  isDefault: z.boolean().optional(),
  config: z.record(z.string(), z.unknown()),
});
/**
 * A change of a channel. `config` is merged over the stored configuration: a field given replaces
 * it (a secret field included: secrets are write-only and never shown), null removes it, a field
 * not given stays; the result is validated whole by the channel type's adapter.
 */
export const UpdateChannelBody = z
  .strictObject({
    name: z.string().min(1).max(255).optional(),
    isDefault: z.boolean().optional(),
    config: z.record(z.string(), z.unknown()).optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { error: 'nothing to change' });
export const ChannelTestResult = z.object({
  ok: z.boolean(),
  status: z.number().int().nullable(),
  retryable: z.boolean(),
  detail: z.string().nullable(),
});

export const RoutingRuleView = z.object({
  id: z.number().int(),
  name: z.string(),
  position: z.number().int(),
  channel: z.string(),
  envSlug: z.string().nullable(),
  minPriority: z.string(),
  match: z.unknown(),
  continue: z.boolean(),
});
export const RoutingRuleList = z.object({ items: z.array(RoutingRuleView) });
export const CreateRoutingRuleBody = z.strictObject({
  channel: z.string().min(1).max(255),
  name: z.string().min(1).max(255).optional(),
  environment: Slug.optional(),
  minPriority: z.enum(['low', 'medium', 'high', 'critical']).optional(),
  /** Matchers on the drift (see the notifier's RoutingMatch); validated by the same schema. */
  match: z.record(z.string(), z.unknown()).optional(),
  continue: z.boolean().optional(),
  position: z.number().int().min(0).max(1_000_000).optional(),
});

/** A change of a routing rule; `environment: null` makes it apply to every environment. */
export const UpdateRoutingRuleBody = z
  .strictObject({
    channel: z.string().min(1).max(255).optional(),
    name: z.string().min(1).max(255).optional(),
    environment: Slug.nullable().optional(),
    minPriority: z.enum(['low', 'medium', 'high', 'critical']).optional(),
    match: z.record(z.string(), z.unknown()).optional(),
    continue: z.boolean().optional(),
    position: z.number().int().min(0).max(1_000_000).optional(),
    isActive: z.boolean().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { error: 'nothing to change' });

export const IgnoreRuleView = z.object({
  id: z.number().int(),
  environmentId: z.number().int().nullable(),
  resourceType: z.string().nullable(),
  addressPattern: z.string().nullable(),
  propertyPath: z.string().nullable(),
  syntax: z.enum(['driftignore', 'json_pointer']),
  reason: z.string().nullable(),
  /** Drift this rule kept out, summed over the scans that reported it. */
  suppressedCount: z.number().int(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  isActive: z.boolean(),
});
export const IgnoreRuleList = z.object({ items: z.array(IgnoreRuleView) });
export const CreateIgnoreRuleBody = z
  .strictObject({
    environment: Slug.optional(),
    resourceType: z.string().trim().min(1).max(100).optional(),
    addressPattern: z.string().trim().min(1).max(500).optional(),
    propertyPath: z.string().trim().min(1).max(500).optional(),
    syntax: z.enum(['driftignore', 'json_pointer']).default('driftignore'),
    reason: z.string().trim().min(1).max(4000),
    expiresAt: Timestamp.optional(),
  })
  .refine((b) => b.resourceType !== undefined || b.addressPattern !== undefined || b.propertyPath !== undefined, {
    error: 'a rule needs a resourceType, addressPattern or propertyPath',
  });
/** A change of an ignore rule; null clears a field (a rule keeps at least one of resourceType, addressPattern, propertyPath). */
export const UpdateIgnoreRuleBody = z
  .strictObject({
    environment: Slug.nullable().optional(),
    resourceType: z.string().trim().min(1).max(100).nullable().optional(),
    addressPattern: z.string().trim().min(1).max(500).nullable().optional(),
    propertyPath: z.string().trim().min(1).max(500).nullable().optional(),
    syntax: z.enum(['driftignore', 'json_pointer']).optional(),
    reason: z.string().trim().min(1).max(4000).optional(),
    expiresAt: Timestamp.nullable().optional(),
    isActive: z.boolean().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, { error: 'nothing to change' });
export const CreateSilenceBody = z.strictObject({
  environment: Slug,
  matchers: z.array(SilenceMatcher).min(1).max(20),
  startsAt: Timestamp.optional(),
  endsAt: Timestamp,
  comment: z.string().min(1).max(4000),
});
export const CreateMaintenanceWindowBody = CmdMaintenanceWindowCreateV1Data.omit({ createdBy: true }).extend({
  environment: Slug,
});
export const SilenceList = z.object({
  items: z.array(
    z.object({
      id: z.number().int(),
      matchers: z.unknown(),
      startsAt: z.string(),
      endsAt: z.string(),
      createdBy: z.string(),
      comment: z.string(),
      active: z.boolean(),
    }),
  ),
});
export const MaintenanceWindowList = z.object({
  items: z.array(
    z.object({
      id: z.number().int(),
      environmentId: z.number().int().nullable(),
      name: z.string(),
      kind: z.string(),
      weekdays: z.unknown(),
      startTime: z.string(),
      endTime: z.string(),
      timeZone: z.string(),
      isActive: z.boolean(),
    }),
  ),
});
export const CommandAccepted = z.object({ commandId: z.string(), type: z.string() });

export const PolicyView = z.object({
  environment: z.string().nullable(),
  version: z.number().int(),
  document: z.unknown(),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
});
export const PolicyAnswer = z.object({ policy: PolicyView.nullable() });
export const PolicyQuery = z.object({ environment: Slug.optional() });
export const SetPolicyBody = z.strictObject({ environment: Slug.optional(), document: z.unknown() });

const csv = <T extends z.ZodType<unknown, string>>(item: T) =>
  z
    .string()
    .max(500)
    .transform((v) => v.split(',').filter((x) => x !== ''))
    .pipe(z.array(item).max(20));

const DRIFT_SORT_KEYS = ['detected_at', 'updated', 'severity', 'priority', 'address', 'resource_type'] as const;
/** The drift list's orders: `newest`, `oldest`, each key ascending and, with a leading `-`, descending. */
export const DRIFT_SORTS = ['newest', 'oldest', ...DRIFT_SORT_KEYS, ...DRIFT_SORT_KEYS.map((k) => `-${k}` as const)] as const;

/** Filters of the drift list, its CSV export and its search (`q`). */
export const DriftListQuery = z.strictObject({
  environment: csv(Slug).optional(),
  status: z.enum(['open', 'resolved', 'all']).default('all'),
  driftType: csv(DriftType).optional(),
  minSeverity: z.coerce.number().min(0).max(1).optional(),
  maxSeverity: z.coerce.number().min(0).max(1).optional(),
  /** Drift with a recommendation of one of these priorities (comma-separated). */
  priority: csv(Priority).optional(),
  resourceType: z.string().min(1).max(100).optional(),
  cause: CauseCategory.optional(),
  securityCritical: z.enum(['true', 'false']).optional(),
  from: Timestamp.optional(),
  to: Timestamp.optional(),
  /** Text in the resource address, physical id, a changed property path or value. */
  q: z.string().min(1).max(200).optional(),
  /**
   * Order: `newest` (default) or `oldest` by detection, or a key ascending (`severity`) or
   * descending (`-severity`): `detected_at`, `updated` (last activity: detected, seen again or
   * resolved), `severity`, `priority` (the drift's highest recommendation priority), `address`,
   * `resource_type`. Ties are broken by id; a missing value sorts lowest. A cursor belongs to its order.
   */
  sort: z.enum(DRIFT_SORTS).default('newest'),
  cursor: z.string().min(1).max(1500).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type DriftListQuery = z.infer<typeof DriftListQuery>;

export const DriftListItem = z.object({
  id: z.number().int(),
  environmentId: z.number().int(),
  driftType: z.string(),
  address: z.string().nullable(),
  physicalId: z.string().nullable(),
  resourceType: z.string().nullable(),
  detectedAt: z.string(),
  resolvedAt: z.string().nullable(),
  severityScore: z.number().nullable(),
});
export const DriftPage = z.object({ items: z.array(DriftListItem), nextCursor: z.string().nullable() });

export const AuditTimelineItem = z.object({
  at: z.string(),
  action: z.string(),
  actor: z.string().nullable(),
  success: z.boolean(),
  newValues: z.unknown(),
});

export const DriftDetailView = z.object({
  id: z.number().int(),
  environmentId: z.number().int(),
  driftType: z.string(),
  detectedAt: z.string(),
  resolvedAt: z.string().nullable(),
  resolutionType: z.string().nullable(),
  severityScore: z.number().nullable(),
  confidenceScore: z.number().nullable(),
  resource: z.unknown(),
  riskAssessment: z.unknown(),
  changes: z.array(z.unknown()),
  cause: z.unknown(),
  predictions: z.array(z.unknown()),
  recommendations: z.array(z.unknown()),
  notifications: z.array(z.unknown()),
  correlations: z.array(z.unknown()),
  /** Every delivery attempt of the drift's notifications. */
  deliveries: z.array(
    z.object({
      notificationId: z.number().int(),
      attempt: z.number().int(),
      status: z.string(),
      responseCode: z.number().int().nullable(),
      error: z.string().nullable(),
      attemptedAt: z.string(),
      latencyMs: z.number().int().nullable(),
    }),
  ),
  audit: z.array(AuditTimelineItem),
});

export const ResolveDriftBody = z.strictObject({
  resolutionType: ResolutionType,
  /** The cause as the engineer confirms it; analysis learns it as a label. */
  confirmedCause: CauseCategory.optional(),
  note: z.string().max(4000).optional(),
});
export const RespondRecommendationBody = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('accept'), note: z.string().max(4000).optional() }),
  z.strictObject({ action: z.literal('reject'), reason: z.string().min(1).max(4000) }),
  z.strictObject({
    action: z.literal('implemented'),
    result: z.strictObject({
      success: z.boolean(),
      details: z.string().max(4000).optional(),
      ref: z.string().max(500).optional(),
    }),
  }),
]);

const Day = z.iso.date();
export const AnalyticsQuery = z.strictObject({
  from: Day.optional(),
  to: Day.optional(),
  environment: csv(Slug).optional(),
});
export const DailyMetricsView = z.object({
  days: z.array(
    z.object({
      date: z.string(),
      total: z.number(),
      resolved: z.number(),
      avgResolutionSeconds: z.number().nullable(),
      adoptionRate: z.number().nullable(),
    }),
  ),
  totals: z.object({ total: z.number(), resolved: z.number(), avgResolutionSeconds: z.number().nullable() }),
  causes: z.record(z.string(), z.number()),
  severity: z.record(z.string(), z.number()),
});
export const CoverageView = z.object({
  items: z.array(
    z.object({
      environmentId: z.number().int(),
      environment: z.string(),
      /** Share of drifting resources that are declared in IaC (not `added`), per day. */
      days: z.array(z.object({ date: z.string(), coverage: z.number().nullable(), mttrSeconds: z.number().nullable() })),
    }),
  ),
});
export const ModelPerformanceView = z.object({
  items: z.array(
    z.object({
      modelId: z.number().int(),
      name: z.string(),
      version: z.string(),
      modelType: ModelType.or(z.string()),
      isActive: z.boolean(),
      metrics: z.array(z.object({ name: z.string(), value: z.number(), evaluatedAt: z.string() })),
    }),
  ),
});

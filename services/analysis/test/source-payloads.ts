import { randomUUID } from 'node:crypto';

/**
 * Deliveries as the real sources send them (CloudTrail log files, PagerDuty webhook v3,
 * Alertmanager webhook v4, GitHub push, Kubernetes audit EventList) and native scans, built
 * from the parts a scenario sets.
 */

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';

export interface TrailCall {
  at: string;
  eventSource: string;
  eventName: string;
  /** `AssumedRole` ARN, IAM user ARN, or an AWS service principal (then `type: AWSService`). */
  principal: string;
  userAgent: string;
  requestParameters?: Record<string, unknown> | null;
  responseElements?: Record<string, unknown> | null;
  resources?: { ARN: string; type: string }[];
  eventID?: string;
}

function identity(principal: string) {
  if (principal.endsWith('.amazonaws.com')) return { type: 'AWSService', invokedBy: principal };
  const session = /^arn:aws:sts::(\d+):assumed-role\/([^/]+)\/(.+)$/.exec(principal);
  if (session) {
    return {
      type: 'AssumedRole',
      principalId: `AROAEXAMPLE:${session[3]}`,
      arn: principal,
      accountId: session[1],
      accessKeyId: 'ASIAEXAMPLE',
      sessionContext: {
        sessionIssuer: {
          type: 'Role',
          principalId: 'AROAEXAMPLE',
          arn: `arn:aws:iam::${session[1]}:role/${session[2]}`,
          accountId: session[1],
          userName: session[2],
        },
        attributes: { creationDate: '2026-03-10T00:00:00Z', mfaAuthenticated: 'false' },
      },
    };
  }
  return {
    type: 'IAMUser',
    principalId: 'AIDAEXAMPLE',
    arn: principal,
    accountId: ACCOUNT,
    userName: principal.split('/').pop(),
  };
}

/** A CloudTrail log file (`{"Records": […]}`) holding one management event per call. */
export function cloudTrail(...calls: TrailCall[]) {
  return {
    Records: calls.map((c) => ({
      eventVersion: '1.09',
      userIdentity: identity(c.principal),
      eventTime: c.at,
      eventSource: c.eventSource,
      eventName: c.eventName,
      awsRegion: REGION,
      sourceIPAddress: c.principal.endsWith('.amazonaws.com') ? c.principal : '203.0.113.12',
      userAgent: c.userAgent,
      requestParameters: c.requestParameters ?? null,
      responseElements: c.responseElements ?? null,
      requestID: randomUUID(),
      eventID: c.eventID ?? randomUUID(),
      readOnly: false,
      ...(c.resources ? { resources: c.resources.map((r) => ({ accountId: ACCOUNT, ...r })) } : {}),
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: ACCOUNT,
      eventCategory: 'Management',
    })),
  };
}

/** A PagerDuty v3 webhook of one incident event. */
export function pagerDuty(o: {
  incidentId: string;
  eventType?: 'incident.triggered' | 'incident.acknowledged' | 'incident.resolved';
  status?: 'triggered' | 'acknowledged' | 'resolved';
  at: string;
  title: string;
  priority: string;
  service: string;
}) {
  return {
    event: {
      id: randomUUID(),
      event_type: o.eventType ?? 'incident.triggered',
      resource_type: 'incident',
      occurred_at: o.at,
      agent: { id: 'PLH1HKV', summary: 'Oncall Bot', type: 'user_reference' },
      client: null,
      data: {
        id: o.incidentId,
        type: 'incident',
        self: `https://api.pagerduty.com/incidents/${o.incidentId}`,
        html_url: `https://acme.pagerduty.com/incidents/${o.incidentId}`,
        number: 42,
        status: o.status ?? 'triggered',
        incident_key: randomUUID().replace(/-/g, ''),
        created_at: o.at,
        title: o.title,
        service: { id: 'PF9KMXH', summary: o.service, type: 'service_reference' },
        assignees: [],
        escalation_policy: { id: 'PUS0KTE', summary: 'Default', type: 'escalation_policy_reference' },
        teams: [],
        priority: { id: 'PSO75BM', summary: o.priority, type: 'priority_reference' },
        urgency: 'high',
        conference_bridge: null,
        resolve_reason: null,
      },
    },
  };
}

/** An Alertmanager v4 webhook of one alert. */
export function alertmanager(o: {
  alertname: string;
  summary: string;
  severity: string;
  startsAt: string;
  labels?: Record<string, string>;
  status?: 'firing' | 'resolved';
  endsAt?: string;
}) {
  const labels = { alertname: o.alertname, severity: o.severity, ...o.labels };
  return {
    receiver: 'driftguard',
    status: o.status ?? 'firing',
    alerts: [
      {
        status: o.status ?? 'firing',
        labels,
        annotations: { summary: o.summary },
        startsAt: o.startsAt,
        endsAt: o.endsAt ?? '0001-01-01T00:00:00Z',
        generatorURL: 'http://prometheus:9090/graph?g0.expr=up',
        fingerprint: randomUUID().replace(/-/g, '').slice(0, 16),
      },
    ],
    groupLabels: { alertname: o.alertname },
    commonLabels: labels,
    commonAnnotations: { summary: o.summary },
    externalURL: 'http://alertmanager:9093',
    version: '4',
    groupKey: `{}:{alertname="${o.alertname}"}`,
    truncatedAlerts: 0,
  };
}

/** A GitHub push of commits, each with the files it changed. */
export function githubPush(commits: { sha: string; at: string; message: string; modified: string[] }[]) {
  return {
    ref: 'refs/heads/main',
    before: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
    after: commits.at(-1)?.sha ?? '0000000000000000000000000000000000000000',
    repository: {
      id: 186853002,
      name: 'infra',
      full_name: 'acme/infra',
      html_url: 'https://github.com/acme/infra',
      private: true,
    },
    pusher: { name: 'mona', email: 'mona@acme.example' },
    sender: { login: 'mona', id: 1 },
    created: false,
    deleted: false,
    forced: false,
    compare: 'https://github.com/acme/infra/compare/6113728f27ae...0d1a26e67d8f',
    commits: commits.map((c) => ({
      id: c.sha,
      tree_id: 'f9d2a07e9488b91af2641b26b9407fe22a451433',
      distinct: true,
      message: c.message,
      timestamp: c.at,
      url: `https://github.com/acme/infra/commit/${c.sha}`,
      author: { name: 'Mona Lisa', email: 'mona@acme.example', username: 'mona' },
      committer: { name: 'GitHub', email: 'noreply@github.com', username: 'web-flow' },
      added: [],
      removed: [],
      modified: c.modified,
    })),
    head_commit: null,
  };
}

/** A Kubernetes audit webhook batch (audit.k8s.io/v1 EventList). */
export function kubernetesAudit(
  events: {
    at: string;
    verb: string;
    user: string;
    userAgent: string;
    objectRef: { resource: string; namespace: string; name: string; apiGroup?: string; apiVersion: string };
  }[],
) {
  return {
    kind: 'EventList',
    apiVersion: 'audit.k8s.io/v1',
    metadata: {},
    items: events.map((e) => {
      const group = e.objectRef.apiGroup
        ? `/apis/${e.objectRef.apiGroup}/${e.objectRef.apiVersion}`
        : `/api/${e.objectRef.apiVersion}`;
      return {
        level: 'Metadata',
        auditID: randomUUID(),
        stage: 'ResponseComplete',
        requestURI: `${group}/namespaces/${e.objectRef.namespace}/${e.objectRef.resource}/${e.objectRef.name}`,
        verb: e.verb,
        user: { username: e.user, groups: ['system:authenticated'] },
        sourceIPs: ['10.0.0.12'],
        userAgent: e.userAgent,
        objectRef: e.objectRef,
        responseStatus: { metadata: {}, code: 200 },
        requestReceivedTimestamp: e.at,
        stageTimestamp: e.at,
        annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' },
      };
    }),
  };
}

export interface NativeResource {
  type: string;
  address?: string;
  name?: string;
  physicalId?: string;
  namespace?: string;
  source?: string;
}

/** A native scan: one resource drifted from `declared` to `actual`, observed at `observedAt` (or at submission). */
export function driftScan(resource: NativeResource, declared: unknown, actual: unknown, observedAt?: string) {
  return {
    format: 'native',
    version: 1,
    scanner: { name: 'scenario-scanner', version: '1.0.0' },
    ...(observedAt ? { observedAt } : {}),
    observations: [{ kind: 'modified', resource, declared, actual }],
  };
}

/** A native scan seeing resources as declared. */
export function inSyncScan(...resources: NativeResource[]) {
  return {
    format: 'native',
    version: 1,
    scanner: { name: 'scenario-scanner', version: '1.0.0' },
    observations: resources.map((resource) => ({ kind: 'in_sync', resource })),
  };
}

import { KubernetesAuditEvent, KubernetesAuditEventList } from '@driftguard/contracts';
import { checkPayload } from '../context-payload.js';
import { boundedId, publishable, type SignalDraft, type SourceParser } from '../context-signal.js';

/**
 * Kubernetes audit (audit.k8s.io/v1 `Event` or the webhook backend's `EventList`) → one
 * `audit_event` signal per event. The source id is auditID + stage (one request logged at two
 * stages is two entries of the log). requestObject / responseObject are not published: they may
 * hold Secret data and the correlation needs who did what to which object, not the object.
 */
export const parseKubernetesAudit: SourceParser = (body, _headers, source) => {
  const isList = typeof body === 'object' && body !== null && 'items' in body;
  const items = isList ? checkPayload(source, KubernetesAuditEventList, body).items : [body];
  return {
    signals: items.map((item, i) => toSignal(checkPayload(source, KubernetesAuditEvent, item, isList ? `/items/${i}` : ''))),
  };
};

function toSignal(e: KubernetesAuditEvent): SignalDraft {
  const o = e.objectRef;
  const object = o
    ? [o.apiGroup || 'core', o.resource, o.namespace, o.name].filter((s) => s !== undefined && s !== '').join('/')
    : undefined;
  return {
    kind: 'audit_event',
    sourceId: `${e.auditID}:${e.stage ?? ''}`,
    data: {
      kind: 'audit_event',
      externalSystem: 'kubernetes',
      externalId: boundedId(e.auditID),
      occurredAt: e.requestReceivedTimestamp,
      actor: e.user.username.slice(0, 255),
      resourceRefs: object !== undefined ? [object] : [],
      summary: `${e.verb} ${object ?? e.requestURI ?? ''}`.trim(),
      data: {
        auditID: e.auditID,
        stage: e.stage ?? null,
        verb: e.verb,
        requestURI: e.requestURI ?? null,
        user: publishable(e.user),
        impersonatedUser: e.impersonatedUser?.username ?? null,
        sourceIPs: e.sourceIPs ?? [],
        userAgent: e.userAgent ?? null,
        objectRef: publishable(o),
        responseCode: e.responseStatus?.code ?? null,
        annotations: publishable(e.annotations),
      },
    },
  };
}

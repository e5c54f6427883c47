import { CloudTrailEventBridgeEvent, CloudTrailLogFile, CloudTrailLookupEvents, CloudTrailRecord } from '@driftguard/contracts';
import { checkPayload, readContextJson } from '../context-payload.js';
import { boundedId, publishable, type SignalDraft, type SourceParser } from '../context-signal.js';

const has = (body: unknown, key: string): boolean =>
  typeof body === 'object' && body !== null && !Array.isArray(body) && key in body;

/**
 * CloudTrail in the four shapes AWS hands it out: a log file (`{"Records":[…]}`), an EventBridge
 * event (`detail-type: AWS API Call via CloudTrail`), `lookup-events` output (`Events[]` whose
 * `CloudTrailEvent` is a record as JSON text) or one record. One `audit_event` per record; the
 * source id is the record's `eventID`. Secret-named request and response values are masked.
 */
export const parseCloudTrail: SourceParser = (body, _headers, source) => {
  if (has(body, 'Records')) {
    const file = checkPayload(source, CloudTrailLogFile, body);
    return {
      signals: file.Records.map((r, i) => toSignal(checkPayload(source, CloudTrailRecord, r, `/Records/${i}`), `/Records/${i}`)),
    };
  }
  if (has(body, 'detail-type')) {
    const event = checkPayload(source, CloudTrailEventBridgeEvent, body);
    return { signals: [toSignal(checkPayload(source, CloudTrailRecord, event.detail, '/detail'), '/detail')] };
  }
  if (has(body, 'Events')) {
    const lookup = checkPayload(source, CloudTrailLookupEvents, body);
    return {
      signals: lookup.Events.map((e, i) => {
        const at = `/Events/${i}/CloudTrailEvent`;
        // The embedded record is JSON text: read with the same guarded parser, then checked.
        const record = readContextJson(source, Buffer.from(e.CloudTrailEvent, 'utf8'), at);
        return toSignal(checkPayload(source, CloudTrailRecord, record, at), at);
      }),
    };
  }
  return { signals: [toSignal(checkPayload(source, CloudTrailRecord, body), '')] };
};

function toSignal(r: CloudTrailRecord, pointer: string): SignalDraft {
  const who = r.userIdentity;
  const actor = who.arn ?? who.userName ?? who.sessionContext?.sessionIssuer?.arn ?? who.principalId ?? who.invokedBy;
  const refs = (r.resources ?? []).map((res) => res.ARN).filter((arn): arn is string => arn !== undefined);
  return {
    kind: 'audit_event',
    sourceId: r.eventID,
    cloud: { accountId: r.recipientAccountId, region: r.awsRegion, pointer },
    data: {
      kind: 'audit_event',
      externalSystem: 'cloudtrail',
      externalId: boundedId(r.eventID),
      occurredAt: r.eventTime,
      ...(actor !== undefined ? { actor: actor.slice(0, 255) } : {}),
      resourceRefs: refs,
      summary: `${r.eventSource} ${r.eventName}`,
      data: {
        eventSource: r.eventSource,
        eventName: r.eventName,
        awsRegion: r.awsRegion,
        accountId: r.recipientAccountId,
        readOnly: r.readOnly ?? null,
        errorCode: r.errorCode ?? null,
        sourceIPAddress: r.sourceIPAddress ?? null,
        userAgent: r.userAgent ?? null,
        userIdentity: publishable(who),
        requestParameters: publishable(r.requestParameters ?? null),
        responseElements: publishable(r.responseElements ?? null),
        resources: publishable(r.resources ?? []),
      },
    },
  };
}

import { z } from 'zod';

const Params = z.record(z.string(), z.unknown()).nullish();

/** One CloudTrail record (a log file's `Records[]` item, an EventBridge `detail`, a `CloudTrailEvent`). */
export const CloudTrailRecord = z.looseObject({
  eventVersion: z.string().optional(),
  eventID: z.string().min(1),
  eventTime: z.iso.datetime({ offset: true }),
  eventSource: z.string().min(1),
  eventName: z.string().min(1),
  awsRegion: z.string().min(1),
  recipientAccountId: z.string().min(1),
  userIdentity: z.looseObject({
    type: z.string().optional(),
    principalId: z.string().optional(),
    arn: z.string().optional(),
    accountId: z.string().optional(),
    userName: z.string().optional(),
    invokedBy: z.string().optional(),
    sessionContext: z
      .looseObject({ sessionIssuer: z.looseObject({ arn: z.string().optional(), userName: z.string().optional() }).optional() })
      .optional(),
  }),
  sourceIPAddress: z.string().optional(),
  userAgent: z.string().optional(),
  readOnly: z.boolean().optional(),
  errorCode: z.string().optional(),
  requestParameters: Params,
  responseElements: Params,
  resources: z
    .array(z.looseObject({ ARN: z.string().optional(), accountId: z.string().optional(), type: z.string().optional() }))
    .optional(),
});
export type CloudTrailRecord = z.infer<typeof CloudTrailRecord>;

/** A CloudTrail log file as delivered to S3 (uncompressed). */
export const CloudTrailLogFile = z.looseObject({ Records: z.array(z.unknown()) });

/** An EventBridge event of a CloudTrail API call. */
export const CloudTrailEventBridgeEvent = z.looseObject({
  'detail-type': z.literal('AWS API Call via CloudTrail'),
  id: z.string().optional(),
  account: z.string().optional(),
  region: z.string().optional(),
  detail: z.unknown(),
});

/** `aws cloudtrail lookup-events` output; each `CloudTrailEvent` is a record as JSON text. */
export const CloudTrailLookupEvents = z.looseObject({
  Events: z.array(z.looseObject({ EventId: z.string().optional(), CloudTrailEvent: z.string().min(2) })),
  NextToken: z.string().optional(),
});

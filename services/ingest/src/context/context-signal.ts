import { JsonValue, type ContextKind, type ContextSignalV1Data, type ContextSource } from '@driftguard/contracts';
import { maskBody } from '../diff/sensitive.mask.js';

/** One signal read from a payload, before it has an environment and an envelope id. */
export interface SignalDraft {
  kind: ContextKind;
  /** The source's own id of this signal; (organization, source, sourceId) identifies it for dedup. */
  sourceId: string;
  data: ContextSignalV1Data;
  /** CloudTrail: the AWS account and region the record belongs to, for organization-wide routing. */
  cloud?: { accountId: string; region: string; pointer: string };
}

/** What a source parser makes of one delivery. */
export interface ParsedDelivery {
  signals: SignalDraft[];
  /** Set when the delivery carries nothing to publish (a GitHub ping, a PagerDuty service event). */
  ignored?: string;
}

/** Request facts a parser may need besides the body. */
export interface DeliveryHeaders {
  get(name: string): string | undefined;
}

/** Reads one source's payload (already JSON) into signals; throws a 4xx problem naming the path. */
export type SourceParser = (body: unknown, headers: DeliveryHeaders, source: ContextSource) => ParsedDelivery;

/** Largest JSON of one nested value kept whole in an event (request parameters, labels…). */
const MAX_VALUE_BYTES = 16 * 1024;

/**
 * A parsed wire value as JSON fit to publish: checked as JSON (no cast), values under keys named
 * like secrets masked by ingest's sensitive-value rules, and a value over 16 KiB replaced by its
 * size so one signal cannot outgrow the event budget.
 */
export function publishable(value: unknown): JsonValue {
  if (value === undefined) return null;
  const checked = JsonValue.parse(value);
  const masked = maskBody(checked);
  const bytes = Buffer.byteLength(JSON.stringify(masked));
  return bytes > MAX_VALUE_BYTES ? { truncated: true, bytes } : masked;
}

/** First line of a text, at most `max` characters. */
export function firstLine(text: string, max = 200): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** Cuts an id to the contract's 255 characters. */
export const boundedId = (id: string): string => id.slice(0, 255);

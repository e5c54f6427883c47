/** The most an event body may weigh, whatever the server allows: consumers pull events in batches. */
export const EVENT_BUDGET_MAX_BYTES = 256 * 1024;

/** NATS's default `max_payload`, assumed until the server's INFO says otherwise. */
const DEFAULT_MAX_PAYLOAD = 1024 * 1024;

/**
 * The size an event body must stay under: half the server's `max_payload` (room for headers,
 * and for a server configured lower than the one measured), and never above
 * {@link EVENT_BUDGET_MAX_BYTES}. With NATS's default 1 MB that is 256 KiB.
 */
export function eventBudgetBytes(maxPayload: number | undefined): number {
  const limit = maxPayload !== undefined && maxPayload > 0 ? maxPayload : DEFAULT_MAX_PAYLOAD;
  return Math.min(EVENT_BUDGET_MAX_BYTES, Math.floor(limit / 2));
}

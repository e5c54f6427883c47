import { errors, NoRespondersError, RequestError } from '@nats-io/nats-core';
import { JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';
import type { Bus } from './bus.connection.js';

/** JetStream's "message size exceeds maximum allowed" (a stream's `max_msg_size`). */
const STREAM_MESSAGE_TOO_LARGE = 10054;

/** Why a publish can never succeed as it stands; each is a `dead_letters.error_code`. */
export type PermanentRefusalCode = 'payload_too_large' | 'no_stream';

/** How the relay treats a failed publish: dead-letter it now, or hold it back and retry. */
export type PublishRefusal = { permanent: true; code: PermanentRefusalCode; error: string } | { permanent: false; error: string };

const describe = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Tells a permanent refusal from a transient one. Permanent: a body above the server's
 * `max_payload` (the client refuses it before sending) or a stream's `max_msg_size`, and a
 * subject no stream captures. "No responders" also answers while JetStream is electing a
 * stream leader or starting, so before calling it permanent the relay asks the server whether
 * any stream captures the subject; if that question fails too, the refusal is transient.
 * Everything else (timeouts, a lost connection, 503s) is transient.
 */
export async function classifyPublishFailure(bus: Bus, subject: string, bytes: number, err: unknown): Promise<PublishRefusal> {
  const error = describe(err);
  const maxPayload = bus.nc.info?.max_payload;
  const tooLargeForServer =
    (maxPayload !== undefined && bytes > maxPayload) || (err instanceof errors.InvalidArgumentError && /max_payload/.test(error));
  if (tooLargeForServer) {
    return {
      permanent: true,
      code: 'payload_too_large',
      error: `${error}: ${bytes} bytes, server max_payload ${maxPayload ?? 'unknown'}`,
    };
  }
  if (err instanceof JetStreamApiError && err.code === STREAM_MESSAGE_TOO_LARGE) {
    return { permanent: true, code: 'payload_too_large', error: `${error}: ${bytes} bytes` };
  }
  if (isNoResponders(err)) {
    const captured = await streamCapturing(bus, subject);
    if (captured === false)
      return { permanent: true, code: 'no_stream', error: `no stream captures subject ${subject} (${error})` };
  }
  return { permanent: false, error };
}

function isNoResponders(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    if (e instanceof NoRespondersError || (e instanceof RequestError && e.isNoResponders())) return true;
  }
  return false;
}

/** true/false when the server answered whether a stream captures `subject`; undefined when it did not answer. */
async function streamCapturing(bus: Bus, subject: string): Promise<boolean | undefined> {
  try {
    await bus.jsm.streams.find(subject);
    return true;
  } catch (err) {
    if (err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound) return false;
    return undefined;
  }
}

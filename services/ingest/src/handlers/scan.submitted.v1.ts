import type { Kysely } from 'kysely';
import type { Database } from '@driftguard/db';
import { PermanentError, type EventHandler } from '@driftguard/bus';
import { ScanFormatError } from '../model/observation.js';
import { acceptScan } from '../scans/scan.intake.js';
import { guardText } from '../sensitivity/index.js';
import type { ScanParsePool } from '../scans/scan-parse.pool.js';
import { decodeScanBody, ScanBodyError } from '../http/scan-body.js';

export interface ScanSubmittedDeps {
  db: Kysely<Database>;
  pool: ScanParsePool;
  onAccepted?: () => void;
}

/**
 * A scan published on `dg.scan.submitted.v1.<org>.<env>`: recorded under the envelope id (so a
 * redelivery records it once) in the consumer's transaction; one that cannot be read is
 * dead-lettered with the adapter's reason, never retried.
 */
export function scanSubmittedV1(deps: ScanSubmittedDeps): EventHandler<'scan.submitted.v1', Database> {
  return async (event, { tx, log }) => {
    const env = await tx
      .selectFrom('environments')
      .select('id')
      .where('id', '=', event.envId)
      .where('organization_id', '=', event.orgId)
      .executeTakeFirst();
    if (!env) throw new PermanentError(`environment ${event.envId} does not exist in organization ${event.orgId}`);
    const { data } = event;
    let body: Buffer;
    if (data.bodyBase64Gzip !== undefined) {
      try {
        // The same bounds as HTTP (limits.ts), so a bomb on the bus is stopped as early.
        body = await decodeScanBody(Buffer.from(data.bodyBase64Gzip, 'base64'), 'gzip');
      } catch (err) {
        if (!(err instanceof ScanBodyError)) throw err;
        throw new PermanentError(`data.bodyBase64Gzip: ${err.message}`);
      }
    } else {
      body = Buffer.from(typeof data.body === 'string' ? data.body : JSON.stringify(data.body));
    }
    try {
      const accepted = await acceptScan(
        deps.db,
        deps.pool,
        {
          id: event.id,
          orgId: event.orgId,
          envId: event.envId,
          format: data.format,
          full: data.full,
          ...(data.scanner ? { scanner: data.scanner } : {}),
          source: 'nats',
          body,
        },
        tx,
      );
      log.info({ scanId: accepted.scanId, format: data.format }, 'scan accepted from nats');
    } catch (err) {
      if (err instanceof ScanFormatError)
        throw new PermanentError(guardText(`invalid ${err.format} scan at ${err.path || '/'}: ${err.message}`));
      throw err;
    }
    // The processor polls; waking it early only shortens the wait, and a wake before commit is harmless.
    deps.onAccepted?.();
  };
}

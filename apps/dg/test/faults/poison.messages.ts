import type { Bus } from '@driftguard/bus';
import { subjectFor, type EventKey } from '@driftguard/contracts';
import { uuidv7 } from 'uuidv7';

/** A message no consumer can ever handle, sent straight to JetStream, and who must dead-letter it. */
export interface Poison {
  marker: string;
  key: EventKey;
  /** the one service consuming `key` */
  service: 'ingest' | 'analysis' | 'recommender' | 'notifier';
}

/**
 * One poison message per service, each on a subject only that service consumes: unreadable JSON
 * or an envelope whose data breaks the contract. Each must be dead-lettered once, at once.
 */
export async function injectPoison(bus: Bus, orgId: number, envId: number): Promise<Poison[]> {
  const poisons: Poison[] = [
    { marker: 'poison-scan', key: 'scan.submitted.v1', service: 'ingest' },
    { marker: 'poison-incident', key: 'context.incident.v1', service: 'analysis' },
    { marker: 'poison-analyzed', key: 'drift.analyzed.v1', service: 'recommender' },
    { marker: 'poison-recommendation', key: 'recommendation.created.v1', service: 'notifier' },
  ];
  for (const poison of poisons) {
    // analysis gets bytes that are not JSON at all; the others an envelope whose data breaks the contract
    const body =
      poison.service === 'analysis'
        ? `{"id": "${poison.marker}", "data": {`
        : JSON.stringify({
            id: uuidv7(),
            type: poison.key,
            occurredAt: new Date().toISOString(),
            orgId,
            envId,
            data: { marker: poison.marker, driftEventId: 'not-a-number' },
          });
    await bus.js.publish(subjectFor(poison.key, orgId, envId), new TextEncoder().encode(body), { msgID: poison.marker });
  }
  return poisons;
}

import { GenericContextSignal, type ContextKind } from '@driftguard/contracts';
import { z } from 'zod';
import { checkPayload } from '../context-payload.js';
import { boundedId, type SourceParser } from '../context-signal.js';

const KIND_OF_SOURCE: Record<string, ContextKind> = {
  deployment: 'deployment',
  maintenance: 'maintenance',
  incident: 'incident',
};

/**
 * `deployment`, `maintenance`, `incident`: DriftGuard's documented shape (GenericContextSignal),
 * one object or an array of them, one signal each; the source id is the sender's `id`.
 */
export const parseGeneric: SourceParser = (body, _headers, source) => {
  const kind = KIND_OF_SOURCE[source] ?? 'deployment';
  // Checked as the shape it is, so an error names the item's path rather than "no union member matched".
  const items = Array.isArray(body)
    ? checkPayload(source, z.array(GenericContextSignal), body)
    : [checkPayload(source, GenericContextSignal, body)];
  return {
    signals: items.map((s) => ({
      kind,
      sourceId: s.id,
      data: {
        kind,
        externalSystem: s.system ?? source,
        externalId: boundedId(s.id),
        occurredAt: s.start,
        ...(s.actor !== undefined ? { actor: s.actor } : {}),
        resourceRefs: s.resources ?? (s.service !== undefined ? [s.service] : []),
        summary: s.title,
        data: {
          title: s.title,
          service: s.service ?? null,
          environment: s.environment ?? null,
          start: s.start,
          end: s.end ?? null,
          severity: s.severity ?? null,
          status: s.status ?? null,
          url: s.url ?? null,
        },
      },
    })),
  };
};

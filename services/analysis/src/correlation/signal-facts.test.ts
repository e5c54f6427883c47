import type { ContextSignal } from '@driftguard/db';
import { describe, expect, it } from 'vitest';
import { signalFacts } from './signal-facts.js';

const at = new Date('2026-03-10T12:00:00Z');
const signal = (context_type: string, data: ContextSignal['data'], actor: string | null = null): { signal: ContextSignal } => ({
  signal: {
    id: '1',
    organization_id: 1,
    environment_id: 1,
    context_type,
    external_system: 'x',
    external_id: 'x',
    occurred_at: new Date('2026-03-10T10:00:00Z'),
    resource_refs: [],
    actor,
    data,
    received_at: at,
    match_keys: [],
  },
});

describe('signalFacts', () => {
  it('reads PagerDuty incidents: open while triggered or acknowledged, resolved at the update saying so', () => {
    expect(signalFacts(signal('incident', { status: 'acknowledged', priority: 'P1' }, 'Oncall Bot'), at)).toEqual({
      endedAt: null,
      status: 'open',
      severity: 'P1',
      actor: 'Oncall Bot',
    });
    const resolved = signalFacts(
      signal('incident', { status: 'resolved', priority: 'P2', lastOccurredAt: '2026-03-10T11:00:00Z' }),
      at,
    );
    expect(resolved).toMatchObject({ status: 'resolved', endedAt: new Date('2026-03-10T11:00:00Z') });
  });

  it('reads Alertmanager alerts by status and endsAt, and generic windows by their end', () => {
    expect(signalFacts(signal('alert', { status: 'firing', severity: 'critical', endsAt: null }), at)).toMatchObject({
      status: 'open',
      severity: 'critical',
    });
    expect(signalFacts(signal('alert', { status: 'resolved', endsAt: '2026-03-10T11:30:00Z' }), at)).toMatchObject({
      status: 'resolved',
      endedAt: new Date('2026-03-10T11:30:00Z'),
    });
    expect(signalFacts(signal('maintenance', { end: '2026-03-10T14:00:00Z' }), at)).toMatchObject({ status: 'open' });
    expect(signalFacts(signal('maintenance', { end: '2026-03-10T11:00:00Z' }), at)).toMatchObject({ status: 'resolved' });
    expect(signalFacts(signal('deployment', { status: 'succeeded' }), at)).toMatchObject({ status: 'resolved' });
  });

  it('gives point events (API calls, commits) no open or resolved state', () => {
    expect(signalFacts(signal('audit_event', { userAgent: 'aws-cli/2' }, 'alice'), at)).toEqual({
      endedAt: null,
      actor: 'alice',
    });
  });
});

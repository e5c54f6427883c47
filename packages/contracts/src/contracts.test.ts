import { describe, expect, it } from 'vitest';
import { catalog, eventKeys, parseSubject, streamSubjects, subjectFilter, subjectFor, dlqSubject } from './index.js';

const base = { id: '0190d3a8-5c4e-7a3b-8f00-0123456789ab', occurredAt: '2026-11-30T08:00:00.000Z', orgId: 7, envId: 12 };

describe('subjects', () => {
  it('builds dg.<domain>.<event>.v<N>.<org>.<env> and parses it back', () => {
    const s = subjectFor('drift.detected.v1', 7, 12);
    expect(s).toBe('dg.drift.detected.v1.7.12');
    expect(parseSubject(s)).toEqual({ root: 'dg', key: 'drift.detected.v1', orgId: 7, envId: 12 });
    expect(subjectFor('cmd.drift.resolve.v1', 1, 2, 't1')).toBe('t1.cmd.drift.resolve.v1.1.2');
  });

  it('filters every tenant or one organization', () => {
    expect(subjectFilter('scan.submitted.v1')).toBe('dg.scan.submitted.v1.*.*');
    expect(subjectFilter('scan.submitted.v1', 'dg', 7)).toBe('dg.scan.submitted.v1.7.*');
  });

  it('refuses tokens that would break subject routing', () => {
    expect(() => subjectFor('drift.detected.v1', 0, 1)).toThrow(/orgId/);
    expect(() => subjectFor('drift.detected.v1', 1, 1, 'a.b')).toThrow(/root/);
    expect(() => dlqSubject('in gest')).toThrow(/service/);
  });

  it('gives every catalog entry a stream whose subjects capture it', () => {
    for (const key of eventKeys) {
      const subject = subjectFor(key, 1, 1);
      const domain = subject.split('.')[1];
      expect(streamSubjects(catalog[key].stream)).toContain(`dg.${domain}.>`);
    }
  });
});

describe('envelopes', () => {
  it('accepts a valid drift.resolved event', () => {
    const ev = {
      ...base,
      type: 'drift.resolved',
      data: { driftEventId: 3, resolvedAt: base.occurredAt, resolutionType: 'accepted', resolvedBy: 'command' },
    };
    expect(catalog['drift.resolved.v1'].schema.parse(ev).data.driftEventId).toBe(3);
  });

  it('rejects a payload naming what is wrong', () => {
    const ev = { ...base, type: 'cmd.drift.resolve', data: { driftEventId: 'x', resolutionType: 'fixed' } };
    const r = catalog['cmd.drift.resolve.v1'].schema.safeParse(ev);
    expect(r.success).toBe(false);
    const paths = r.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['data.driftEventId', 'data.resolutionType']));
  });

  it('rejects an id that is not a UUIDv7 and a type of another entry', () => {
    const ev = { ...base, id: 'abc', type: 'drift.detected', data: {} };
    const r = catalog['drift.resolved.v1'].schema.safeParse(ev);
    expect(r.error!.issues.map((i) => i.path[0])).toEqual(expect.arrayContaining(['id', 'type']));
  });

  it('requires a scan body', () => {
    const ev = { ...base, type: 'scan.submitted', data: { format: 'driftctl' } };
    expect(catalog['scan.submitted.v1'].schema.safeParse(ev).success).toBe(false);
  });
});

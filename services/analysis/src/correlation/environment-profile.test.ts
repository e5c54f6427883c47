import { describe, expect, it } from 'vitest';
import { environmentProfile } from './environment-profile.js';

const env = (tags: Record<string, string>) => ({
  name: 'shop-prod',
  slug: 'shop-prod',
  tags,
  cloud_provider: 'aws',
  account_id: '123456789012',
  region: 'eu-west-1',
});

describe('environmentProfile', () => {
  it('reads the time zone, look-back and IaC principals from the environment’s tags', () => {
    const p = environmentProfile(
      env({
        tier: 'production',
        timezone: 'America/New_York',
        'driftguard:lookback-hours': '48',
        'driftguard:iac-principals': 'arn:aws:iam::123456789012:role/atlantis, arn:aws:iam::123456789012:role/tf-*',
      }),
      24 * 3600_000,
    );
    expect(p.timeZone).toBe('America/New_York');
    expect(p.lookBackMs).toBe(48 * 3600_000);
    expect(p.iacPrincipals.map((r) => r.test('arn:aws:iam::123456789012:role/tf-plan'))).toEqual([false, true]);
    expect(p.summary).toEqual({
      name: 'shop-prod',
      slug: 'shop-prod',
      tier: 'production',
      production: true,
      cloudProvider: 'aws',
      accountId: '123456789012',
      region: 'eu-west-1',
    });
  });

  it('falls back to UTC, the service look-back and no pipeline on missing or unusable tags', () => {
    const p = environmentProfile(env({ timezone: 'Mars/Olympus', 'driftguard:lookback-hours': '-3' }), 6 * 3600_000);
    expect(p.timeZone).toBe('UTC');
    expect(p.lookBackMs).toBe(6 * 3600_000);
    expect(p.iacPrincipals).toEqual([]);
    expect(p.summary).toMatchObject({ tier: null, production: true });
  });
});

import { describe, expect, it } from 'vitest';
import { iacToolOf } from './drift-summary.js';

describe('iacToolOf', () => {
  it('takes the tool from the scan format', () => {
    expect(iacToolOf('terraform-plan', 'aws_instance')).toBe('terraform');
    expect(iacToolOf('tfstate', 'aws_instance')).toBe('terraform');
    expect(iacToolOf('driftctl', 'aws_instance')).toBe('terraform');
    expect(iacToolOf('cloudformation', 'AWS::EC2::Instance')).toBe('cloudformation');
    expect(iacToolOf('kubernetes', 'apps/v1/Deployment')).toBe('kubernetes');
  });

  it('infers it from the resource type of a native scan', () => {
    expect(iacToolOf('native', 'AWS::S3::Bucket')).toBe('cloudformation');
    expect(iacToolOf('native', 'apps/v1/Deployment')).toBe('kubernetes');
    expect(iacToolOf('native', 'v1/ConfigMap')).toBe('kubernetes');
    expect(iacToolOf('native', 'google_compute_instance')).toBe('terraform');
    expect(iacToolOf(undefined, 'aws_s3_bucket')).toBe('terraform');
    expect(iacToolOf('native', 'Some Thing')).toBeUndefined();
  });
});

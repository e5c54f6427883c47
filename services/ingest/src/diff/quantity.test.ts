import { describe, expect, it } from 'vitest';
import { parseQuantity, quantitiesEqual } from './quantity.js';

describe('Kubernetes quantities', () => {
  it.each([
    ['100m', '0.1'],
    ['100m', 0.1],
    ['1Gi', '1024Mi'],
    ['1k', '1000'],
    ['1e3', '1k'],
    ['1.5Gi', '1536Mi'],
    ['500m', 0.5],
  ])('%s equals %s', (a, b) => expect(quantitiesEqual(a, b)).toBe(true));

  it.each([
    ['100m', '0.2'],
    ['1G', '1Gi'],
    ['1Mi', '1M'],
  ])('%s differs from %s', (a, b) => expect(quantitiesEqual(a, b)).toBe(false));

  it('rejects text that is not a quantity', () => {
    expect(parseQuantity('lots')).toBeUndefined();
    expect(parseQuantity('1Gb')).toBeUndefined();
  });
});

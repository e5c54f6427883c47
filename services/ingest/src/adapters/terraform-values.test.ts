import { describe, expect, it } from 'vitest';
import { sensitiveAttributePointers } from './terraform-values.js';

describe('sensitiveAttributePointers', () => {
  it('turns get_attr and index steps into a JSON pointer', () => {
    const steps = [
      [{ type: 'get_attr', value: 'password' }],
      [
        { type: 'get_attr', value: 'settings' },
        { type: 'index', value: { value: 0, type: 'number' } },
        { type: 'get_attr', value: 'key' },
      ],
      [
        { type: 'get_attr', value: 'tags' },
        { type: 'index', value: { value: 'a/b', type: 'string' } },
      ],
    ];
    expect(sensitiveAttributePointers(steps)).toEqual(['/password', '/settings/0/key', '/tags/a~1b']);
  });

  it('ends a path at a set element, so the whole set counts as sensitive rather than a wrong sibling', () => {
    const steps = [
      [
        { type: 'get_attr', value: 'rules' },
        { type: 'index', value: { value: { name: 'x' }, type: ['object', { name: 'string' }] } },
        { type: 'get_attr', value: 'secret' },
      ],
    ];
    expect(sensitiveAttributePointers(steps)).toEqual(['/rules']);
  });
});

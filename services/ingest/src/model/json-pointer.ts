/** RFC 6901 helpers. Pointers are built only when a change is emitted, never per visited node. */

export function escapePointerSegment(segment: string): string {
  if (segment.indexOf('~') === -1 && segment.indexOf('/') === -1) return segment;
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

export function unescapePointerSegment(segment: string): string {
  if (segment.indexOf('~') === -1) return segment;
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** Joins raw (unescaped) segments into a pointer: ['a/b', 0] → '/a~1b/0'. */
export function toPointer(segments: readonly (string | number)[]): string {
  let out = '';
  for (const s of segments) out += '/' + (typeof s === 'number' ? String(s) : escapePointerSegment(s));
  return out;
}

/** Splits a pointer into raw segments; '' → []. Throws on a pointer not starting with '/'. */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (pointer[0] !== '/') throw new Error(`JSON pointer must start with "/": ${pointer}`);
  return pointer.slice(1).split('/').map(unescapePointerSegment);
}

/** True when `prefix` equals `pointer` or is an ancestor of it ('/a' covers '/a/b', not '/ab'). */
export function pointerCovers(prefix: string, pointer: string): boolean {
  if (prefix === '') return true;
  if (!pointer.startsWith(prefix)) return false;
  return pointer.length === prefix.length || pointer.charCodeAt(prefix.length) === 47; // '/'
}

export function isJsonPointer(value: string): boolean {
  return value === '' || value[0] === '/';
}

/**
 * The classes of bad input every edge is sent, each as a mutation of a body that is otherwise
 * valid (a sample of the edge's schema): what arrives is wrong in exactly one way.
 */
import { gzipSync } from 'node:zlib';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export type BadInputClass =
  | 'not_json'
  | 'empty'
  | 'invalid_utf8'
  | 'nul'
  | 'lone_surrogate'
  | 'proto_key'
  | 'constructor_key'
  | 'deep_nesting'
  | 'wrong_types'
  | 'huge_array'
  | 'not_an_object';

export const BAD_INPUT_CLASSES: readonly BadInputClass[] = [
  'not_json',
  'empty',
  'invalid_utf8',
  'nul',
  'lone_surrogate',
  'proto_key',
  'constructor_key',
  'deep_nesting',
  'wrong_types',
  'huge_array',
  'not_an_object',
];

/** Nesting far past any limit the services set, built as text (no recursion). */
export const DEEP_NESTING = 20_000;
/** Elements of the huge array. */
export const HUGE_ARRAY = 20_000;

const PLACEHOLDER = 'edge\uE000marker';

/** Path (keys) of the first string leaf for which `accepts` still holds with free text there. */
export function freeTextPath(sample: Json, accepts: (candidate: Json) => boolean): (string | number)[] | undefined {
  const paths: (string | number)[][] = [];
  const walk = (v: Json, path: (string | number)[]) => {
    if (typeof v === 'string') paths.push(path);
    else if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  walk(sample, []);
  return paths.find((p) => accepts(setAt(sample, p, 'free text, ünïcode ✓')));
}

/** A copy of `value` with the leaf at `path` replaced. */
export function setAt(value: Json, path: (string | number)[], leaf: Json): Json {
  if (path.length === 0) return leaf;
  const [head, ...rest] = path;
  if (Array.isArray(value)) return value.map((x, i) => (i === head ? setAt(x, rest, leaf) : x));
  if (value !== null && typeof value === 'object') return { ...value, [head!]: setAt(value[head!]!, rest, leaf) };
  return value;
}

/** Every scalar swapped for another JSON type, every container for the other kind. */
export function wrongTypes(value: Json): Json {
  if (typeof value === 'string') return 12345;
  if (typeof value === 'number') return 'not a number';
  if (typeof value === 'boolean') return 'not a boolean';
  if (value === null) return { unexpected: true };
  if (Array.isArray(value)) return { notAnArray: value.length };
  const entries = Object.entries(value);
  if (entries.length === 0) return ['not an object'];
  return Object.fromEntries(entries.map(([k, v]) => [k, wrongTypes(v)]));
}

/** `{"<key>":<json>, …the object's own members}` as text (JSON.stringify cannot write `__proto__`). */
function withLeadingMember(objectText: string, member: string): string {
  if (!objectText.startsWith('{')) return objectText;
  return objectText === '{}' ? `{${member}}` : `{${member},${objectText.slice(1)}`;
}

export interface BodyTarget {
  /** The valid sample the mutations start from. */
  sample: Json;
  /** Where a free-text string sits in it (NUL, surrogates and bad bytes go there). */
  textPath: (string | number)[] | undefined;
  /** Where members are added (`[]`: the top level); must be an object in the sample. */
  objectPath: (string | number)[];
  /** Largest body the edge can be sent at all (NATS's max_payload): the huge array stays below it. */
  maxBytes?: number;
  /**
   * What the huge array holds: copies of the sample's item (`same`: only a bound on its length can
   * refuse it), or items of the wrong type (`wrong`: the whole array must be checked, and refused).
   */
  hugeItems?: 'same' | 'wrong';
  /** Where the edge bounds an array's length itself: the huge array, past that bound. */
  huge?: { count: number; item: Json };
}

/** The body of one bad-input class, as the bytes sent. */
export function badBody(cls: BadInputClass, target: BodyTarget): Buffer {
  const { sample, textPath, objectPath } = target;
  const withText = (text: string) => JSON.stringify(setAt(sample, textPath ?? objectPath, text));
  const withMember = (member: string) => {
    const marked = JSON.stringify(setAt(sample, objectPath, { [PLACEHOLDER]: 0 }));
    const original = JSON.stringify(objectAt(sample, objectPath) ?? {});
    const patched = withLeadingMember(original, member);
    return marked.replace(`{"${PLACEHOLDER}":0}`, patched);
  };
  switch (cls) {
    case 'not_json':
      return Buffer.from(JSON.stringify(sample).slice(0, -1) + ',');
    case 'empty':
      return Buffer.alloc(0);
    case 'invalid_utf8': {
      const text = Buffer.from(withText(PLACEHOLDER));
      const at = text.indexOf(PLACEHOLDER);
      return Buffer.concat([
        text.subarray(0, at),
        Buffer.from([0x65, 0xff, 0xfe, 0xc3, 0x28]),
        text.subarray(at + Buffer.byteLength(PLACEHOLDER)),
      ]);
    }
    case 'nul':
      return Buffer.from(withText('edge\u0000value'));
    case 'lone_surrogate':
      // JSON.stringify writes a lone surrogate as the escape `\ud800`: valid UTF-8, not Unicode text.
      return Buffer.from(withText('edge\ud800value'));
    case 'proto_key':
      return Buffer.from(withMember('"__proto__":{"polluted":true}'));
    case 'constructor_key':
      return Buffer.from(withMember('"constructor":{"prototype":{"polluted":true}}'));
    case 'deep_nesting':
      return Buffer.from(withMember(`"nested":${'['.repeat(DEEP_NESTING)}${']'.repeat(DEEP_NESTING)}`));
    case 'wrong_types':
      return Buffer.from(JSON.stringify(setAt(sample, objectPath, wrongTypes(objectAt(sample, objectPath) ?? {}))));
    case 'huge_array': {
      // The first array of the sample grown to HUGE_ARRAY copies of its item; without one, the object replaced.
      const at = firstArrayPath(sample);
      if (!at)
        return Buffer.from(
          JSON.stringify(
            setAt(
              sample,
              objectPath,
              Array.from({ length: HUGE_ARRAY }, () => 0),
            ),
          ),
        );
      const first = (objectAt(sample, at) as Json[])[0] ?? null;
      if (target.huge)
        return Buffer.from(
          JSON.stringify(
            setAt(
              sample,
              at,
              Array.from({ length: target.huge.count }, () => target.huge!.item),
            ),
          ),
        );
      const item = target.hugeItems === 'wrong' ? wrongTypes(first) : first;
      const room = (target.maxBytes ?? Infinity) - JSON.stringify(sample).length;
      const count = Math.max(2, Math.min(HUGE_ARRAY, Math.floor(room / (JSON.stringify(item).length + 1))));
      return Buffer.from(
        JSON.stringify(
          setAt(
            sample,
            at,
            Array.from({ length: count }, () => item),
          ),
        ),
      );
    }
    case 'not_an_object':
      return Buffer.from(JSON.stringify('a string where an object belongs'));
    default: {
      const never: never = cls;
      throw new Error(`unknown class ${String(never)}`);
    }
  }
}

function firstArrayPath(value: Json, path: (string | number)[] = []): (string | number)[] | undefined {
  if (Array.isArray(value)) return path;
  if (value === null || typeof value !== 'object') return undefined;
  for (const [k, v] of Object.entries(value)) {
    const found = firstArrayPath(v, [...path, k]);
    if (found) return found;
  }
  return undefined;
}

function objectAt(value: Json, path: (string | number)[]): Json | undefined {
  let v: Json | undefined = value;
  for (const p of path) v = v !== null && typeof v === 'object' ? (v as Record<string, Json>)[p] : undefined;
  return v;
}

/** A gzip body of `inflatedBytes` spaces: a few kilobytes on the wire. */
export function gzipBomb(inflatedBytes: number): Buffer {
  return gzipSync(Buffer.alloc(inflatedBytes, 0x20), { level: 9 });
}

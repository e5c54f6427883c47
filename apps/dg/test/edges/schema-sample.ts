/**
 * One plausible value for a JSON Schema (the subset zod and the OpenAPI documents emit): the
 * base every bad-input class is applied to, so that a request or message is wrong in exactly one
 * way. Deterministic: the same schema gives the same sample.
 */
export type JsonSchema = { [key: string]: unknown };
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

/** Follows `#/...` references against `root`. */
function resolveRef(s: JsonSchema, root: JsonSchema): JsonSchema {
  let current = s;
  for (let hops = 0; typeof current['$ref'] === 'string' && hops < 20; hops++) {
    const path = current['$ref'].replace(/^#\//, '').split('/');
    let target: unknown = root;
    for (const part of path) target = (target as JsonSchema | undefined)?.[part.replaceAll('~1', '/').replaceAll('~0', '~')];
    current = (target as JsonSchema | undefined) ?? {};
  }
  return current;
}

function stringOf(s: JsonSchema): string {
  const min = num(s['minLength']) ?? 0;
  const max = num(s['maxLength']) ?? 64;
  switch (s['format']) {
    case 'uuid':
      return '0190a5f0-0000-7000-8000-000000000001';
    case 'date-time':
      return '2026-11-30T12:00:00.000Z';
    case 'date':
      return '2026-11-30';
    case 'email':
      return 'edge@example.com';
    case 'uri':
    case 'url':
      return 'https://example.com/edge';
    case 'ipv4':
      return '10.0.0.1';
    default:
      break;
  }
  const pattern = typeof s['pattern'] === 'string' ? s['pattern'] : undefined;
  const candidates = [
    'edge',
    'edge-1',
    'a',
    'acme/prod',
    'aws_instance.edge',
    'k1',
    '1',
    'Edge Value',
    'x'.repeat(Math.max(min, 1)),
  ];
  for (const c of candidates) {
    const fitted = c.length < min ? c.padEnd(min, 'x') : c;
    if (fitted.length > max) continue;
    if (!pattern || new RegExp(pattern, 'u').test(fitted)) return fitted;
  }
  return 'x'.repeat(Math.max(min, 1));
}

/** A value valid under `schema` (as far as the schema says), or undefined when it cannot tell. */
export function sampleOf(schema: JsonSchema, root: JsonSchema = schema, depth = 0): Json {
  const s = resolveRef(schema, root);
  if ('const' in s) return s['const'] as Json;
  // A default stands in for the value, except an empty container (the sample shows one item).
  const fallback = s['default'];
  const empty = typeof fallback === 'object' && fallback !== null && Object.keys(fallback).length === 0;
  if ('default' in s && depth > 0 && fallback !== undefined && !empty) return fallback as Json;
  if (Array.isArray(s['enum'])) return (s['enum'] as Json[])[0] ?? null;
  const union = (s['anyOf'] ?? s['oneOf']) as JsonSchema[] | undefined;
  if (union) {
    const nonNull = union.find((u) => resolveRef(u, root)['type'] !== 'null') ?? union[0]!;
    return sampleOf(nonNull, root, depth);
  }
  if (Array.isArray(s['allOf'])) {
    const merged = Object.assign({}, ...(s['allOf'] as JsonSchema[]).map((x) => resolveRef(x, root))) as JsonSchema;
    return sampleOf(merged, root, depth);
  }
  const types = Array.isArray(s['type']) ? (s['type'] as string[]) : [s['type'] as string | undefined];
  const type = types.find((t) => t !== 'null') ?? types[0];
  switch (type) {
    case 'string':
      return stringOf(s);
    case 'integer': {
      const min = num(s['minimum']) ?? (num(s['exclusiveMinimum']) !== undefined ? num(s['exclusiveMinimum'])! + 1 : 1);
      return Math.min(Math.max(min, 1), num(s['maximum']) ?? Number.MAX_SAFE_INTEGER);
    }
    case 'number': {
      const min = num(s['minimum']) ?? num(s['exclusiveMinimum']) ?? 0;
      const max = num(s['maximum']) ?? num(s['exclusiveMaximum']) ?? 1;
      return (min + max) / 2;
    }
    case 'boolean':
      return true;
    case 'null':
      return null;
    case 'array': {
      const items = (s['items'] as JsonSchema | undefined) ?? {};
      const n = Math.max(num(s['minItems']) ?? 1, 1);
      if (num(s['maxItems']) === 0) return [];
      if (Array.isArray(s['prefixItems'])) return (s['prefixItems'] as JsonSchema[]).map((x) => sampleOf(x, root, depth + 1));
      return Array.from({ length: Math.min(n, 3) }, () => sampleOf(items, root, depth + 1));
    }
    case 'object':
    case undefined: {
      const props = (s['properties'] as Record<string, JsonSchema> | undefined) ?? {};
      if (type === undefined && Object.keys(props).length === 0) return 'edge';
      const out: { [key: string]: Json } = {};
      for (const [k, v] of Object.entries(props)) out[k] = sampleOf(v, root, depth + 1);
      const extra = s['additionalProperties'];
      if (Object.keys(props).length === 0 && extra && typeof extra === 'object') {
        const propertyNames = (s['propertyNames'] as JsonSchema | undefined) ?? {};
        const key = sampleOf({ type: 'string', ...propertyNames }, root, depth + 1);
        out[typeof key === 'string' ? key : 'edge'] = sampleOf(extra as JsonSchema, root, depth + 1);
      }
      return out;
    }
    default:
      return null;
  }
}

/**
 * Semantic comparison of JSON documents held in attributes (IAM / bucket / key policies, trust
 * policies, other JSON strings). Policies are normalized the way IAM evaluates them: statement
 * order is irrelevant, a single string equals a one-element list, list order and duplicates in
 * Action/Resource/Principal/Condition values are irrelevant, whitespace and key order are
 * irrelevant. Sid, Effect, Version are kept and compared.
 */
import type { Json } from '../model/observation.js';
import { canonicalJson } from './canonical-json.js';
import { findExcessiveNesting } from '../model/json-text.scan.js';
import type { DiffPlan } from './diff.plan.js';
import { SET } from './diff.tables.js';

const MAX_DOCUMENT_DEPTH = 64;

const LIST_KEYS = new Set(['Action', 'NotAction', 'Resource', 'NotResource']);
const PRINCIPAL_KEYS = new Set(['Principal', 'NotPrincipal']);

/** Parses a JSON document string; undefined when it is not a JSON object/array. */
export function parseJsonDocument(value: string): Json | undefined {
  const t = value.trimStart();
  if (t[0] !== '{' && t[0] !== '[') return undefined;
  if (findExcessiveNesting(value, MAX_DOCUMENT_DEPTH) >= 0) return undefined; // compared as text
  try {
    return JSON.parse(value) as Json;
  } catch {
    return undefined;
  }
}

export function isPolicyDocument(value: Json | undefined): boolean {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && 'Statement' in value;
}

/** Canonical text of a JSON document, policy-aware. Equal texts ⇔ semantically equal documents. */
export function canonicalDocument(value: Json): string {
  return canonicalJson(isPolicyDocument(value) ? normalizePolicy(value as Record<string, Json>) : value);
}

function normalizePolicy(doc: Record<string, Json>): Record<string, Json> {
  const out: Record<string, Json> = { ...doc };
  const statements = doc.Statement;
  const list = Array.isArray(statements) ? statements : statements === undefined || statements === null ? [] : [statements];
  out.Statement = list
    .map((s) => (s !== null && typeof s === 'object' && !Array.isArray(s) ? normalizeStatement(s) : s))
    .map((s) => ({ s, key: canonicalJson(s) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((x) => x.s);
  return out;
}

function normalizeStatement(s: Record<string, Json>): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(s)) {
    if (LIST_KEYS.has(k)) out[k] = sortedUnique(v);
    else if (PRINCIPAL_KEYS.has(k)) out[k] = normalizePrincipal(v);
    else if (k === 'Condition') out[k] = normalizeCondition(v);
    else out[k] = v;
  }
  return out;
}

function sortedUnique(v: Json): Json {
  const list = Array.isArray(v) ? v : [v];
  if (list.every((x) => typeof x === 'string')) return [...new Set(list)].sort();
  const texts = new Map<string, Json>();
  for (const item of list) texts.set(canonicalJson(item), item);
  return [...texts.keys()].sort().map((k) => texts.get(k)!);
}

function normalizePrincipal(v: Json): Json {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
  const out: Record<string, Json> = {};
  for (const [k, x] of Object.entries(v)) out[k] = sortedUnique(x);
  return out;
}

function normalizeCondition(v: Json): Json {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
  const out: Record<string, Json> = {};
  for (const [op, block] of Object.entries(v)) {
    if (block === null || typeof block !== 'object' || Array.isArray(block)) {
      out[op] = block;
      continue;
    }
    const inner: Record<string, Json> = {};
    for (const [k, x] of Object.entries(block))
      inner[k] = sortedUnique(typeof x === 'boolean' || typeof x === 'number' ? String(x) : x);
    out[op] = inner;
  }
  return out;
}

/**
 * For comparison by the diff walker: single values wrapped in lists where IAM accepts either
 * (Statement, Action, Resource, principals, condition values). With POLICY_PLAN every list is a
 * set, which gives the same equality as canonicalDocument without building canonical text.
 */
export function shapePolicy(doc: Json): Json {
  if (!isPolicyDocument(doc)) return doc;
  const d = doc as Record<string, Json>;
  const statements = Array.isArray(d.Statement) ? d.Statement : d.Statement === null ? [] : [d.Statement!];
  return { ...d, Statement: statements.map(shapeStatement) };
}

function shapeStatement(s: Json): Json {
  if (s === null || typeof s !== 'object' || Array.isArray(s)) return s;
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(s)) {
    if (LIST_KEYS.has(k)) out[k] = Array.isArray(v) ? v : [v];
    else if (PRINCIPAL_KEYS.has(k) && v !== null && typeof v === 'object' && !Array.isArray(v)) {
      out[k] = Object.fromEntries(Object.entries(v).map(([p, x]) => [p, Array.isArray(x) ? x : [x]]));
    } else if (k === 'Condition' && v !== null && typeof v === 'object' && !Array.isArray(v)) {
      out[k] = Object.fromEntries(
        Object.entries(v).map(([op, block]) => [
          op,
          block !== null && typeof block === 'object' && !Array.isArray(block)
            ? Object.fromEntries(Object.entries(block).map(([ck, cv]) => [ck, Array.isArray(cv) ? cv : [cv]]))
            : block,
        ]),
      );
    } else out[k] = v;
  }
  return out;
}

/** Every list in a policy is order-free. */
export const POLICY_PLAN: DiffPlan = {
  profile: 'generic',
  resourceType: 'iam-policy-document',
  topKeyRule: () => 0,
  isJsonKey: () => false,
  arrayRule: () => SET,
};

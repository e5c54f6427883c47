/**
 * The recursive comparison at the heart of the diff engine. Hot-path rules: compare by identity
 * first, consult tables only for values that differ or for containers, keep the path as a stack
 * of raw segments and build a pointer only when a change is emitted.
 */
import type { Json } from '../model/observation.js';
import { escapePointerSegment } from '../model/json-pointer.js';
import type { DiffPlan } from './diff.plan.js';
import { KUBERNETES_ALWAYS_COMPARED, KUBERNETES_QUANTITY_PARENTS, type ArrayRule } from './diff.tables.js';
import { canonicalDocument, isPolicyDocument, parseJsonDocument, POLICY_PLAN, shapePolicy } from './policy-document.js';
import { quantitiesEqual } from './quantity.js';
import { scalarsEquivalent } from './scalar-equality.js';
import { isSensitiveKey } from './sensitive.mask.js';
import { scalarText } from '../model/scalar-text.js';

export interface RawChange {
  path: string;
  declared: Json | undefined;
  actual: Json | undefined;
  changeType: 'modified' | 'added' | 'removed';
  /** A segment of the path is named like a secret (password, token, …). */
  secretName: boolean;
}

/** Above this many element pairs, set matching uses fingerprints instead of pairwise probes. */
const PAIRWISE_LIMIT = 4096;

type Obj = Record<string, unknown>;
const EMPTY_OBJECT: Obj = Object.freeze({});
const EMPTY_ARRAY: unknown[] = Object.freeze([]) as unknown as unknown[];

/** null ≡ absent ≡ "" ≡ [] ≡ {}: providers report an unset optional value any of these ways. */
export function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return true;
  if (typeof v !== 'object') return false;
  if (Array.isArray(v)) return v.length === 0;
  for (const _ in v as Obj) return false;
  return true;
}

export class DiffWalker {
  readonly changes: RawChange[] = [];
  private readonly path: string[] = [];
  private readonly kubernetes: boolean;
  /** Probe mode: answer "equal?" without building changes; `found` stops the walk early. */
  private probing = false;
  private found = false;

  constructor(
    private readonly plan: DiffPlan,
    private readonly onlyDeclared: boolean,
    private readonly onlyShared: boolean,
  ) {
    this.kubernetes = plan.profile === 'kubernetes';
  }

  run(declared: unknown, actual: unknown): RawChange[] {
    this.value(declared, actual, undefined);
    return this.changes;
  }

  private value(a: unknown, b: unknown, key: string | undefined): void {
    if (a === b) return;
    // Hot path: two containers of the same shape go straight to the walk.
    if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
      const aArr = Array.isArray(a);
      if (aArr === Array.isArray(b)) {
        if (aArr) return this.array(a as unknown[], b as unknown[], key);
        // Policy documents held as objects: a named load is the cheapest "could this be one?" test.
        if (
          key !== undefined &&
          this.plan.isJsonKey(key) &&
          (isPolicyDocument(a as Json) || isPolicyDocument(b as Json)) &&
          this.jsonDocument(a, b)
        )
          return;
        return this.object(a as Obj, b as Obj);
      }
    }
    this.valueSlow(a, b, key);
  }

  /** Everything but two same-shaped containers: emptiness, documents, scalars across types. */
  private valueSlow(a: unknown, b: unknown, key: string | undefined): void {
    const aEmpty = isEmpty(a);
    const bEmpty = isEmpty(b);
    if (aEmpty && bEmpty) return;
    if (this.onlyDeclared && aEmpty) {
      // A field the manifest does not set is the server's, except a few that must never flip silently.
      if (key !== undefined && b === true && KUBERNETES_ALWAYS_COMPARED.has(key)) this.emit('added', a, b);
      return;
    }
    if (key !== undefined && this.plan.isJsonKey(key) && this.jsonDocument(a, b)) return;
    const aObj = a !== null && typeof a === 'object';
    const bObj = b !== null && typeof b === 'object';
    if (aObj || bObj) {
      const aArr = Array.isArray(a);
      const bArr = Array.isArray(b);
      if (aObj && !aArr && bEmpty) return this.object(a as Obj, EMPTY_OBJECT);
      if (bObj && !bArr && aEmpty) return this.object(EMPTY_OBJECT, b as Obj);
      if (aArr && bEmpty) return this.array(a as unknown[], EMPTY_ARRAY, key);
      if (bArr && aEmpty) return this.array(EMPTY_ARRAY, b as unknown[], key);
      return this.emit(aEmpty ? 'added' : bEmpty ? 'removed' : 'modified', a, b);
    }
    if (aEmpty) return this.emit('added', a, b);
    if (bEmpty) return this.emit('removed', a, b);
    if (scalarsEquivalent(a, b)) return;
    if (this.kubernetes && this.isQuantity(key) && quantitiesEqual(a as string, b as string)) return;
    this.emit('modified', a, b);
  }

  private object(a: Obj, b: Obj): void {
    const top = this.path.length === 0;
    const plan = this.plan;
    let shared = 0; // keys of a that b has too: when b has no others, its loop can be skipped
    for (const k in a) {
      const av = a[k];
      let bv = b[k];
      if (bv === undefined) {
        if (av === undefined) continue;
      } else {
        shared++;
        if (av === bv) continue;
        if (typeof bv === 'function') {
          bv = undefined; // an inherited member (toString…), not data: never equal to data, so checked only here
          shared--;
        }
      }
      if (top) {
        if (bv === undefined && this.onlyShared) continue;
        const rule = plan.topKeyRule(k);
        if (rule === 1 || (rule === 2 && isEmpty(av))) continue;
      }
      this.path.push(k);
      const t = typeof av;
      if (
        t === typeof bv &&
        (t === 'number' ||
          t === 'boolean' ||
          (t === 'string' && av !== '' && bv !== '' && !this.kubernetes && !plan.isJsonKey(k)))
      ) {
        this.emit('modified', av, bv); // two different scalars of one type: nothing to normalize
      } else this.value(av, bv, k);
      this.path.pop();
      if (this.found) return;
    }
    if (top && this.onlyShared) return;
    let keysOfB = 0;
    for (const _ in b) keysOfB++;
    if (keysOfB === shared) return;
    for (const k in b) {
      const av = a[k];
      if (av !== undefined && typeof av !== 'function') continue;
      if (this.onlyDeclared && !KUBERNETES_ALWAYS_COMPARED.has(k)) continue;
      if (top && plan.topKeyRule(k) !== 0) continue;
      this.path.push(k);
      this.value(undefined, b[k], k);
      this.path.pop();
      if (this.found) return;
    }
  }

  private array(a: unknown[], b: unknown[], key: string | undefined): void {
    const rule = this.plan.arrayRule(key, a.length > 0 ? a : b);
    if (rule.mode === 'ordered') return this.ordered(a, b);
    if (a.length === b.length && this.same(() => this.ordered(a, b))) return; // equal in order
    if (rule.mode === 'set') this.setMatch(a, b, key, undefined);
    else this.keyedMatch(a, b, key, rule);
  }

  private ordered(a: unknown[], b: unknown[]): void {
    const n = a.length > b.length ? a.length : b.length;
    for (let i = 0; i < n; i++) {
      const av = a[i];
      const bv = b[i];
      if (av === bv) continue;
      this.path.push(String(i));
      if (i >= b.length) this.emit('removed', av, undefined);
      else if (i >= a.length) this.emit('added', undefined, bv);
      else this.value(av, bv, undefined);
      this.path.pop();
      if (this.found) return;
    }
  }

  /** Equality of two parsed JSON documents; policies by IAM semantics (see policy-document.ts). */
  private documentsEqual(a: Json, b: Json): boolean {
    if (isPolicyDocument(a) && isPolicyDocument(b)) {
      const policy = new DiffWalker(POLICY_PLAN, false, false);
      return policy.same(() => policy.value(shapePolicy(a), shapePolicy(b), undefined));
    }
    return this.same(() => this.value(a, b, undefined));
  }

  /** Runs a comparison in probe mode; true when it found no difference. Nests safely. */
  private same(compare: () => void): boolean {
    const { probing, found } = this;
    this.probing = true;
    this.found = false;
    compare();
    const equal = !this.found;
    this.probing = probing;
    this.found = found;
    return equal;
  }

  /**
   * Multiset match on a canonical fingerprint. Unmatched declared elements are reported removed
   * at their declared index, unmatched actual elements added at their actual index.
   */
  private setMatch(a: unknown[], b: unknown[], key: string | undefined, only: { a: number[]; b: number[] } | undefined): void {
    const ai = only ? only.a : a.map((_, i) => i);
    const bi = only ? only.b : b.map((_, i) => i);
    const matched = ai.length * bi.length <= PAIRWISE_LIMIT ? this.pairwise(a, b, ai, bi) : this.byFingerprint(a, b, ai, bi, key);
    for (const i of ai) {
      if (matched.a.has(i)) continue;
      this.path.push(String(i));
      this.emit('removed', a[i], undefined);
      this.path.pop();
      if (this.found) return;
    }
    if (this.onlyDeclared) return;
    for (const j of bi) {
      if (matched.b.has(j)) continue;
      this.path.push(String(j));
      this.emit('added', undefined, b[j]);
      this.path.pop();
      if (this.found) return;
    }
  }

  /** Small sets: probe each declared element against the unmatched actual ones (no allocation per probe). */
  private pairwise(a: unknown[], b: unknown[], ai: number[], bi: number[]): { a: Set<number>; b: Set<number> } {
    const ma = new Set<number>();
    const mb = new Set<number>();
    for (const i of ai) {
      for (const j of bi) {
        if (mb.has(j)) continue;
        if (a[i] === b[j] || this.same(() => this.value(a[i], b[j], undefined))) {
          ma.add(i);
          mb.add(j);
          break;
        }
      }
    }
    return { a: ma, b: mb };
  }

  /** Large sets: multiset match on canonical fingerprints, O(n). */
  private byFingerprint(
    a: unknown[],
    b: unknown[],
    ai: number[],
    bi: number[],
    key: string | undefined,
  ): { a: Set<number>; b: Set<number> } {
    const pool = new Map<string, number[]>();
    for (const j of bi) {
      const fp = this.fingerprint(b[j], key);
      const list = pool.get(fp);
      if (list) list.push(j);
      else pool.set(fp, [j]);
    }
    const ma = new Set<number>();
    const mb = new Set<number>();
    for (const i of ai) {
      const j = pool.get(this.fingerprint(a[i], key))?.shift();
      if (j === undefined) continue;
      ma.add(i);
      mb.add(j);
    }
    return { a: ma, b: mb };
  }

  private keyedMatch(a: unknown[], b: unknown[], key: string | undefined, rule: Extract<ArrayRule, { mode: 'keyed' }>): void {
    const byKey = new Map<string, number[]>();
    const loose = { a: [] as number[], b: [] as number[] };
    for (let j = 0; j < b.length; j++) {
      const k = elementKey(b[j], rule);
      if (k === undefined) loose.b.push(j);
      else {
        const list = byKey.get(k);
        if (list) list.push(j);
        else byKey.set(k, [j]);
      }
    }
    const matched = new Set<number>();
    for (let i = 0; i < a.length; i++) {
      const k = elementKey(a[i], rule);
      if (k === undefined) {
        loose.a.push(i);
        continue;
      }
      const j = byKey.get(k)?.shift();
      this.path.push(String(i));
      if (j === undefined) this.emit('removed', a[i], undefined);
      else {
        matched.add(j);
        this.value(a[i], b[j], undefined);
      }
      this.path.pop();
      if (this.found) return;
    }
    for (const list of byKey.values()) for (const j of list) if (!matched.has(j)) loose.b.push(j);
    if (loose.a.length > 0 || (loose.b.length > 0 && !this.onlyDeclared)) this.setMatch(a, b, key, loose);
  }

  private jsonDocument(a: unknown, b: unknown): boolean {
    const da = typeof a === 'string' ? parseJsonDocument(a) : (a as Json | undefined);
    const db = typeof b === 'string' ? parseJsonDocument(b) : (b as Json | undefined);
    const docA = da !== undefined && da !== null && typeof da === 'object';
    const docB = db !== undefined && db !== null && typeof db === 'object';
    if (!docA && !docB) return false; // plain strings: compared as scalars
    if (typeof a !== 'string' && typeof b !== 'string' && !isPolicyDocument(da) && !isPolicyDocument(db)) return false;
    if (docA && docB && this.documentsEqual(da, db)) return true;
    const declared = docA ? da : (a as Json | undefined);
    const actual = docB ? db : (b as Json | undefined);
    this.emit(isEmpty(a) ? 'added' : isEmpty(b) ? 'removed' : 'modified', declared, actual);
    return true;
  }

  private isQuantity(key: string | undefined): boolean {
    const parent = this.path[this.path.length - 2];
    return (parent !== undefined && KUBERNETES_QUANTITY_PARENTS.has(parent)) || key === 'storage';
  }

  /** Canonical text of an element for set matching; mirrors value()'s equivalences. */
  private fingerprint(v: unknown, key: string | undefined): string {
    if (v === undefined || v === null || v === '') return '';
    const t = typeof v;
    if (t !== 'object') return JSON.stringify(scalarText(v));
    if (Array.isArray(v)) {
      const parts = v.map((x) => this.fingerprint(x, undefined));
      if (key !== undefined && this.plan.arrayRule(key, v).mode !== 'ordered') parts.sort();
      return '[' + parts.join(',') + ']';
    }
    const o = v as Obj;
    const keys = Object.keys(o).sort();
    let out = '{';
    for (const k of keys) {
      const x = o[k];
      if (isEmpty(x)) continue;
      let fp: string;
      if (typeof x === 'string' && this.plan.isJsonKey(k)) {
        const doc = parseJsonDocument(x);
        fp = doc !== undefined && doc !== null && typeof doc === 'object' ? canonicalDocument(doc) : JSON.stringify(x);
      } else fp = this.fingerprint(x, k);
      out += JSON.stringify(k) + ':' + fp + ',';
    }
    return out + '}';
  }

  private emit(changeType: RawChange['changeType'], declared: unknown, actual: unknown): void {
    if (this.probing) {
      this.found = true;
      return;
    }
    let path = '';
    let secretName = false;
    for (const seg of this.path) {
      path += '/' + escapePointerSegment(seg);
      if (!secretName && isSensitiveKey(seg)) secretName = true;
    }
    this.changes.push({
      path,
      declared: declared as Json | undefined,
      actual: actual as Json | undefined,
      changeType,
      secretName,
    });
  }
}

function elementKey(el: unknown, rule: Extract<ArrayRule, { mode: 'keyed' }>): string | undefined {
  if (el === null || typeof el !== 'object' || Array.isArray(el)) return undefined;
  let out = '';
  let found = false;
  for (const k of rule.keys) {
    let v = (el as Obj)[k];
    if (v === undefined || v === null) v = rule.defaults?.[k];
    else found = true;
    out += (v === undefined || v === null ? '' : scalarText(v)) + '\u0000';
  }
  return found ? out : undefined;
}

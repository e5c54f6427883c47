/**
 * driftctl's .driftignore semantics (pkg/filter/driftignore.go): gitignore patterns matched
 * against `<type>.<id>` (and `<type>.<id>.<field>.<path>` for fields). Like driftctl, `/` in
 * patterns and subjects is replaced by a neutral separator so ids with slashes match as text,
 * `\.` matches a literal dot, `!` negates (last match wins), and a pattern not ending in `*`
 * also covers everything below it (`type.id` ignores `type.id.any.field`). Unlike driftctl, the
 * below-it form is used for fields only, so `aws_s3_bucket.my` does not ignore bucket
 * `my.bucket.example`.
 */
import ignore, { type Ignore } from 'ignore';

const SLASH = '_-_';

export interface DriftignorePattern {
  pattern: string;
  ruleId: string | number;
}

/** Lines of a .driftignore file with their rule ids (`driftignore:<line>`). */
export function parseDriftignore(text: string): DriftignorePattern[] {
  const out: DriftignorePattern[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.replaceAll(' ', '').length === 0 || line.startsWith('#')) return;
    out.push({ pattern: line, ruleId: `driftignore:${i + 1}` });
  });
  return out;
}

export interface DriftignoreMatcher {
  /** Rule id that ignores `<type>.<id>`, or undefined. */
  matchResource(type: string, id: string): string | number | undefined;
  /** Rule id that ignores the field path (segments) of `<type>.<id>`, or undefined. */
  matchField(type: string, id: string, segments: readonly string[]): string | number | undefined;
}

export function compileDriftignore(patterns: readonly DriftignorePattern[]): DriftignoreMatcher | undefined {
  if (patterns.length === 0) return undefined;
  const resources: Ignore = ignore({ allowRelativePaths: true });
  const fields: Ignore = ignore({ allowRelativePaths: true });
  const marks = new Map<string, string | number>();
  patterns.forEach(({ pattern, ruleId }, n) => {
    const mark = String(n);
    marks.set(mark, ruleId);
    const line = pattern.replaceAll('/', SLASH);
    resources.add({ pattern: line, mark });
    fields.add({ pattern: line, mark });
    if (!line.endsWith('*')) fields.add({ pattern: `${line}.*`, mark });
  });
  const test = (ig: Ignore, subject: string): string | number | undefined => {
    const r = ig.test(subject.replaceAll('/', SLASH));
    return r.ignored && r.rule?.mark !== undefined ? marks.get(r.rule.mark) : undefined;
  };
  return {
    matchResource: (type, id) => test(resources, `${type}.${id}`),
    matchField: (type, id, segments) => test(fields, [type, id, ...segments].join('.')),
  };
}

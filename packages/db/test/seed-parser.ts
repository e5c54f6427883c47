import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Reads the seed data model (a markdown document with ```sql blocks) and states every schema
 * fact it declares as a line such as `environments: unique (organization_id, slug)`. The
 * database side (catalog-facts.ts) states the migrated schema in the same words, so the two
 * can be compared as sets.
 */
const SEED_FILE = '000_7fe2acd851587e61.txt';

/** DG_SEED_PATH, else ../shared/seed/<file> beside the repository root, else testdata/seed/<file>. */
export function seedPath(): string {
  const fromEnv = process.env['DG_SEED_PATH'];
  const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
  const shared = resolve(repoRoot, '..', 'shared', 'seed', SEED_FILE);
  const path = fromEnv ?? (existsSync(shared) ? shared : resolve(repoRoot, 'testdata', 'seed', SEED_FILE));
  if (!existsSync(path)) throw new Error(`seed schema not found at ${path} (set DG_SEED_PATH)`);
  return path;
}

/** Casts stripped, parentheses dropped, whitespace collapsed, lower case. */
export function normalizeExpr(expr: string): string {
  return expr
    .replace(/::[a-z_]+(?: [a-z_]+)*(?:\[\])?/g, '')
    .replace(/\b(\w+)\s+IN\s*\(([^)]*)\)/g, '$1 = ANY (ARRAY[$2])')
    .replace(/[()"]/g, ' ')
    .replace(/\s+/g, ' ')
    .replace(/\[\s+/g, '[')
    .replace(/\s+\]/g, ']')
    .replace(/\s*,\s*/g, ', ')
    .trim()
    .toLowerCase();
}

const TYPES: [RegExp, (m: RegExpMatchArray) => string][] = [
  [/^TIMESTAMP WITH TIME ZONE/i, () => 'timestamp with time zone'],
  [/^VARCHAR\((\d+)\)/i, (m) => `character varying(${m[1]})`],
  [/^DECIMAL\((\d+),\s*(\d+)\)/i, (m) => `numeric(${m[1]},${m[2]})`],
  [/^BIGSERIAL/i, () => 'bigint'],
  [/^SERIAL/i, () => 'integer'],
  [/^INTEGER/i, () => 'integer'],
  [/^(TEXT|BOOLEAN|JSONB|BYTEA|INET|INTERVAL|DATE)/i, (m) => (m[1] ?? '').toLowerCase()],
];
const CONSTRAINT_START = /^(PRIMARY KEY|NOT NULL|UNIQUE|DEFAULT|CHECK|REFERENCES)\b/i;

/** Splits on commas outside parentheses. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim() !== '') parts.push(current.trim());
  return parts;
}

/** The balanced parenthesized text at the start of `text` (without the outer parentheses). */
function balanced(text: string): string {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    if (text[i] === ')' && --depth === 0) return text.slice(1, i);
  }
  throw new Error(`unbalanced parentheses in ${text}`);
}

function columnFacts(table: string, item: string): string[] {
  const [, name = '', rest = ''] = /^(\w+)\s+([\s\S]*)$/.exec(item) ?? [];
  const typeRule = TYPES.find(([re]) => re.test(rest));
  if (typeRule === undefined) throw new Error(`unknown type in ${table}.${item}`);
  const typeMatch = rest.match(typeRule[0]) as RegExpMatchArray;
  const serial = /^(BIG)?SERIAL/i.test(rest);
  const facts = [`${table}.${name}: ${typeRule[1](typeMatch)}`];
  let notNull = serial;
  let defaultExpr: string | null = serial ? normalizeExpr(`nextval('${table}_${name}_seq')`) : null;
  let tail = rest.slice(typeMatch[0].length).trim();
  while (tail !== '') {
    const keyword = (CONSTRAINT_START.exec(tail)?.[1] ?? '').toUpperCase();
    tail = tail.slice(keyword.length).trim();
    if (keyword === 'PRIMARY KEY') {
      facts.push(`${table}: primary key (${name})`);
      notNull = true;
    } else if (keyword === 'NOT NULL') notNull = true;
    else if (keyword === 'UNIQUE') facts.push(`${table}: unique (${name})`);
    else if (keyword === 'CHECK') {
      const body = balanced(tail);
      facts.push(`${table}: check ${normalizeExpr(body)}`);
      tail = tail.slice(body.length + 2).trim();
    } else if (keyword === 'REFERENCES') {
      const [, refTable = '', refColumn = '', after = ''] = /^(\w+)\((\w+)\)([\s\S]*)$/.exec(tail) ?? [];
      facts.push(`${table}: foreign key (${name}) references ${refTable}(${refColumn})`);
      tail = after.trim();
    } else if (keyword === 'DEFAULT') {
      const end = tail.search(/\s(PRIMARY KEY|NOT NULL|UNIQUE|CHECK|REFERENCES)\b/i);
      defaultExpr = normalizeExpr(end < 0 ? tail : tail.slice(0, end));
      tail = end < 0 ? '' : tail.slice(end).trim();
    } else throw new Error(`cannot parse ${table}.${name}: ${tail}`);
  }
  facts.push(`${table}.${name}: ${notNull ? 'not null' : 'null'}`);
  facts.push(`${table}.${name}: ${defaultExpr === null ? 'no default' : `default ${defaultExpr}`}`);
  return facts;
}

/** The seed's tables and the facts it declares about them. */
export function seedFacts(text: string): { tables: string[]; facts: string[] } {
  const sqlText = [...text.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => (m[1] ?? '').replace(/--.*$/gm, '')).join('\n');
  const tables: string[] = [];
  const facts: string[] = [];
  for (const m of sqlText.matchAll(/CREATE TABLE (\w+) \(/g)) {
    const table = m[1] ?? '';
    tables.push(table);
    const body = balanced(sqlText.slice((m.index ?? 0) + m[0].length - 1));
    for (const item of splitTopLevel(body)) {
      const tableUnique = /^UNIQUE\s*\(([^)]*)\)$/i.exec(item);
      if (tableUnique) facts.push(`${table}: unique (${normalizeExpr(tableUnique[1] ?? '')})`);
      else facts.push(...columnFacts(table, item));
    }
    const after = sqlText.slice((m.index ?? 0) + m[0].length + body.length);
    const partition = /^\)\s*PARTITION BY (\w+) \((\w+)\)/i.exec(after);
    if (partition) facts.push(`${table}: partition by ${normalizeExpr(`${partition[1]} (${partition[2]})`)}`);
  }
  for (const m of sqlText.matchAll(/CREATE (UNIQUE )?INDEX (\w+)\s+ON (\w+)\s*\(([^)]*)\)(?:\s+WHERE ([^;]+))?;/g)) {
    const where = m[5] === undefined ? '' : ` where ${normalizeExpr(m[5])}`;
    facts.push(`${m[3]}: ${m[1] ? 'unique ' : ''}index ${m[2]} (${normalizeExpr(m[4] ?? '')})${where}`);
  }
  return { tables, facts: facts.sort() };
}

/** The seed file's facts (see seedPath). */
export function loadSeedFacts(): { tables: string[]; facts: string[] } {
  return seedFacts(readFileSync(seedPath(), 'utf8'));
}

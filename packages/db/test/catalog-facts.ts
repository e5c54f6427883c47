import { sql, type Kysely } from 'kysely';
import { normalizeExpr } from './seed-parser.js';

/**
 * The migrated database's schema facts for `tables`, from pg_catalog, in the words of
 * seed-parser.ts: column types, nullability and defaults, primary keys, UNIQUE, CHECK and
 * FOREIGN KEY constraints, indexes not backing a constraint, partition keys.
 */
export async function catalogFacts(db: Kysely<any>, tables: readonly string[]): Promise<{ columns: string[]; facts: string[] }> {
  const columns = await sql<{ table: string; name: string; type: string; not_null: boolean; default: string | null }>`
    SELECT c.relname AS table, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
           a.attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS default
    FROM pg_attribute a
    JOIN pg_class c ON c.oid = a.attrelid
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE c.relname = ANY(${tables}) AND c.relnamespace = 'public'::regnamespace
      AND a.attnum > 0 AND NOT a.attisdropped`.execute(db);
  const constraints = await sql<{ table: string; type: string; def: string; cols: string[]; ref_table: string | null }>`
    SELECT c.relname AS table, k.contype AS type, pg_get_constraintdef(k.oid) AS def,
           ARRAY(SELECT a.attname FROM unnest(k.conkey) WITH ORDINALITY u(n, i)
                 JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n ORDER BY u.i)::text[] AS cols,
           k.confrelid::regclass::text AS ref_table
    FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
    WHERE c.relname = ANY(${tables}) AND c.relnamespace = 'public'::regnamespace AND k.contype IN ('p', 'u', 'c', 'f')`.execute(
    db,
  );
  const indexes = await sql<{ table: string; def: string }>`
    SELECT t.relname AS table, pg_get_indexdef(i.indexrelid) AS def
    FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
    WHERE t.relname = ANY(${tables}) AND t.relnamespace = 'public'::regnamespace
      AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)`.execute(db);
  const partitions = await sql<{ table: string; key: string }>`
    SELECT c.relname AS table, pg_get_partkeydef(c.oid) AS key FROM pg_class c
    WHERE c.relname = ANY(${tables}) AND c.relnamespace = 'public'::regnamespace AND c.relkind = 'p'`.execute(db);

  const facts: string[] = [];
  for (const c of columns.rows) {
    const at = `${c.table}.${c.name}`;
    facts.push(`${at}: ${c.type}`, `${at}: ${c.not_null ? 'not null' : 'null'}`);
    facts.push(`${at}: ${c.default === null ? 'no default' : `default ${normalizeExpr(c.default)}`}`);
  }
  for (const k of constraints.rows) {
    const cols = k.cols.join(', ');
    if (k.type === 'p') facts.push(`${k.table}: primary key (${cols})`);
    if (k.type === 'u') facts.push(`${k.table}: unique (${cols})`);
    if (k.type === 'c') facts.push(`${k.table}: check ${normalizeExpr(k.def.replace(/^CHECK /, ''))}`);
    if (k.type === 'f') {
      const [, refColumns = '', actions = ''] = /REFERENCES \w+\(([^)]*)\)(.*)$/.exec(k.def) ?? [];
      const suffix = actions.trim() === '' ? '' : ` ${actions.trim().toLowerCase()}`;
      facts.push(`${k.table}: foreign key (${cols}) references ${k.ref_table}(${refColumns})${suffix}`);
    }
  }
  for (const i of indexes.rows) {
    const m = /^CREATE (UNIQUE )?INDEX (\S+) ON (?:ONLY )?\S+ USING (btree|gin) \((.*?)\)(?: WHERE (.*))?$/.exec(i.def);
    if (m === null) throw new Error(`unexpected index definition ${i.def}`);
    const where = m[5] === undefined ? '' : ` where ${normalizeExpr(m[5])}`;
    const method = m[3] === 'gin' ? ' using gin' : '';
    facts.push(`${i.table}: ${m[1] ? 'unique ' : ''}index ${m[2]}${method} (${normalizeExpr(m[4] ?? '')})${where}`);
  }
  for (const p of partitions.rows) facts.push(`${p.table}: partition by ${normalizeExpr(p.key)}`);
  return { columns: columns.rows.map((c) => `${c.table}.${c.name}`).sort(), facts: facts.sort() };
}

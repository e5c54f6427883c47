import type { ColumnType } from 'kysely';

/**
 * Column descriptors: each table file declares its columns once, as data, and its Kysely
 * interface is derived from that data. The schema test compares the same data with the
 * migrated database, so the TypeScript types and the real columns cannot drift apart.
 *
 * PostgreSQL type names are `udt_name`s (int4, varchar(n), numeric(p,s), timestamptz, _text for text[], ...).
 */
export type PgType =
  | 'int4'
  | 'int8'
  | 'bool'
  | 'text'
  | '_text'
  | 'jsonb'
  | 'timestamptz'
  | 'date'
  | 'bytea'
  | 'inet'
  | 'interval'
  | 'uuid'
  | `varchar(${number})`
  | `numeric(${number},${number})`;

/** One column: its type, nullability, whether the database supplies a default, allowed values. */
export interface ColumnSpec<
  T extends PgType = PgType,
  N extends boolean = boolean,
  D extends boolean = boolean,
  V extends string = string,
> {
  readonly type: T;
  readonly nullable: N;
  readonly hasDefault: D;
  /** Allowed values when a CHECK (col IN (...)) constrains the column; null otherwise. */
  readonly values: readonly V[] | null;
}

export type Columns = Readonly<Record<string, ColumnSpec>>;

/** Any JSON value: what a jsonb column holds (structurally the same as contracts' JsonValue). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object as the drivers serialize it; arrays and scalars go in as JSON text. */
export type JsonObject = { [key: string]: JsonValue };

/**
 * How values of each type cross the driver (node-pg and PGlite are configured alike):
 * int8 and numeric are strings (no precision loss), date and interval are PostgreSQL's text,
 * timestamptz is a Date, bytea a Buffer. jsonb reads as parsed JSON; on write it takes a plain
 * object or JSON text (`JSON.stringify(value)`) because node-pg would send a top-level JS array
 * as a PostgreSQL array.
 */
interface TypeMap {
  int4: [number, number];
  int8: [string, string | number | bigint];
  numeric: [string, string | number];
  varchar: [string, string];
  text: [string, string];
  /** text[]: node-pg reads and writes a JS array of strings as a PostgreSQL array. */
  _text: [string[], string[]];
  inet: [string, string];
  uuid: [string, string];
  interval: [string, string];
  date: [string, string];
  bool: [boolean, boolean];
  jsonb: [JsonValue, JsonObject | string];
  timestamptz: [Date, Date | string];
  bytea: [Buffer, Buffer | Uint8Array];
}

type BaseOf<T extends PgType> = T extends `varchar(${string})` ? 'varchar' : T extends `numeric(${string})` ? 'numeric' : T;
type Nullable<C extends ColumnSpec> = C['nullable'] extends true ? null : never;
type Narrowed<C extends ColumnSpec, Wide> =
  C extends ColumnSpec<PgType, boolean, boolean, infer V> ? (string extends V ? Wide : V) : never;
type Read<C extends ColumnSpec> = Narrowed<C, TypeMap[BaseOf<C['type']>][0]> | Nullable<C>;
type Write<C extends ColumnSpec> = Narrowed<C, TypeMap[BaseOf<C['type']>][1]> | Nullable<C>;

/** The Kysely column type of a descriptor: optional on insert when the database has a default. */
export type ColumnOf<C extends ColumnSpec> = ColumnType<
  Read<C>,
  Write<C> | (C['hasDefault'] extends true ? undefined : never),
  Write<C>
>;

/** The Kysely table interface of a set of column descriptors. */
export type TableOf<C extends Columns> = { -readonly [K in keyof C]: ColumnOf<C[K]> };

function column<const T extends PgType, const N extends boolean, const D extends boolean, const V extends string>(
  type: T,
  nullable: N,
  hasDefault: D,
  values: readonly V[] | undefined,
): ColumnSpec<T, N, D, V> {
  return { type, nullable, hasDefault, values: values ?? null };
}

/** NOT NULL, no default: required on insert. */
export const notNull = <const T extends PgType, const V extends string = string>(type: T, values?: readonly V[]) =>
  column(type, false, false, values);
/** NOT NULL with a default (serial ids, `DEFAULT now()`): optional on insert. */
export const notNullDefault = <const T extends PgType, const V extends string = string>(type: T, values?: readonly V[]) =>
  column(type, false, true, values);
/** Nullable, no default. */
export const nullable = <const T extends PgType, const V extends string = string>(type: T, values?: readonly V[]) =>
  column(type, true, false, values);
/** Nullable with a default (the seed's `created_at ... DEFAULT CURRENT_TIMESTAMP`). */
export const nullableDefault = <const T extends PgType, const V extends string = string>(type: T, values?: readonly V[]) =>
  column(type, true, true, values);

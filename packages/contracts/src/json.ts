import { z } from 'zod';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** Any JSON value (what a jsonb column holds): zod's own `z.json()`, the one definition every schema uses. */
export const JsonValue: z.ZodType<JsonValue> = z.json();

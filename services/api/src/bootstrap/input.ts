import { InvalidInputError } from '@driftguard/runtime';
import type { z } from 'zod';

/** Parses bootstrap input; a failure names each bad field in an InvalidInputError. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const errors = result.error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || '(input)',
    message: issue.message,
  }));
  throw new InvalidInputError(`invalid ${what}: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, errors);
}

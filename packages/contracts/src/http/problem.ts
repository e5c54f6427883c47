import { z } from 'zod';

/** Media type of every error answer (RFC 9457). */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Base of every problem `type` URI; the last segment is the error code in kebab case. */
export const PROBLEM_TYPE_BASE = 'https://driftguard.dev/problems/';

/** Problem type URI of a DriftGuard error code (`not_found` → https://driftguard.dev/problems/not-found). */
export function problemType(code: string): string {
  return `${PROBLEM_TYPE_BASE}${code.replaceAll('_', '-')}`;
}

/** One failing part of a request: a JSON Pointer into the input (or `query.<name>`) and why. */
export const ProblemFieldError = z.looseObject({
  path: z.string(),
  message: z.string(),
  line: z.number().int().optional(),
  column: z.number().int().optional(),
});
export type ProblemFieldError = z.infer<typeof ProblemFieldError>;

/**
 * RFC 9457 problem details as every DriftGuard service sends them: `type` is
 * `https://driftguard.dev/problems/<code>`, `code` repeats the code for programs, `detail` says
 * what is wrong and `instance` is the request path. Extension members (`errors`, `format`,
 * `limit`, …) sit beside the standard ones.
 */
export const Problem = z.looseObject({
  type: z.string().startsWith(PROBLEM_TYPE_BASE),
  title: z.string().min(1),
  status: z.number().int().min(400).max(599),
  detail: z.string(),
  instance: z.string(),
  code: z.string().regex(/^[a-z0-9_]+$/),
  errors: z.array(ProblemFieldError).optional(),
});
export type Problem = z.infer<typeof Problem>;

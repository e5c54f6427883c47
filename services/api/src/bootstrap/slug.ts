import { z } from 'zod';

/** Lowercase letters, digits and inner hyphens; how organizations and environments are named in URLs and on the CLI. */
export const Slug = z
  .string()
  .min(1, { error: 'must not be empty' })
  .max(100, { error: 'must be at most 100 characters' })
  .regex(/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/, { error: 'must be lowercase letters, digits and inner hyphens' });

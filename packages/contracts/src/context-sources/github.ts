import { z } from 'zod';

/** A commit of a GitHub push webhook (`X-GitHub-Event: push`), as GitHub sends it. */
export const GitHubPushCommit = z.looseObject({
  id: z.string().min(1),
  timestamp: z.iso.datetime({ offset: true }),
  message: z.string(),
  url: z.string().optional(),
  author: z.looseObject({ name: z.string().optional(), email: z.string().optional(), username: z.string().optional() }),
  added: z.array(z.string()).default([]),
  modified: z.array(z.string()).default([]),
  removed: z.array(z.string()).default([]),
});
export type GitHubPushCommit = z.infer<typeof GitHubPushCommit>;

/** GitHub's push webhook body: the ref, the repository and the commits pushed (a deletion has none). */
export const GitHubPushEvent = z.looseObject({
  ref: z.string().min(1),
  before: z.string().optional(),
  after: z.string().optional(),
  repository: z.looseObject({ full_name: z.string().min(1), html_url: z.string().optional() }),
  pusher: z.looseObject({ name: z.string().optional(), email: z.string().nullish() }).optional(),
  commits: z.array(GitHubPushCommit),
});
export type GitHubPushEvent = z.infer<typeof GitHubPushEvent>;

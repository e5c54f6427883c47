import { GitHubPushEvent } from '@driftguard/contracts';
import { checkPayload } from '../context-payload.js';
import { boundedId, firstLine, type SourceParser } from '../context-signal.js';

const MAX_MESSAGE = 4096;
/** Files listed per commit and per list: a vendoring commit of 10,000 files must not outgrow the event budget. */
const MAX_FILES = 300;
const capped = (files: string[]) => files.slice(0, MAX_FILES);

/**
 * GitHub push webhooks: one `git_commit` signal per commit, each with its own time, author and
 * files (correlation asks "which commit touched the declaring file before the drift", which a
 * whole push cannot answer). `X-GitHub-Event: ping` and other event types publish nothing.
 * A commit's source id is `<repository>@<sha>`: the same commit pushed to two branches is one signal.
 */
export const parseGitHub: SourceParser = (body, headers, source) => {
  const event = headers.get('x-github-event') ?? 'push';
  if (event === 'ping') return { signals: [], ignored: 'ping' };
  if (event !== 'push')
    return { signals: [], ignored: `GitHub event "${event}" carries no commits; subscribe the webhook to push events` };
  const push = checkPayload(source, GitHubPushEvent, body);
  const repository = push.repository.full_name;
  const branch = push.ref.startsWith('refs/heads/') ? push.ref.slice('refs/heads/'.length) : undefined;
  return {
    signals: push.commits.map((c) => {
      const files = [...c.added, ...c.modified, ...c.removed];
      const actor = c.author.username ?? c.author.email ?? c.author.name;
      return {
        kind: 'git_commit' as const,
        sourceId: `${repository}@${c.id}`,
        data: {
          kind: 'git_commit' as const,
          externalSystem: 'github',
          externalId: boundedId(`${repository}@${c.id}`),
          occurredAt: c.timestamp,
          ...(actor !== undefined ? { actor: actor.slice(0, 255) } : {}),
          resourceRefs: capped(files),
          summary: firstLine(c.message),
          data: {
            repository,
            ref: push.ref,
            branch: branch ?? null,
            commit: c.id,
            url: c.url ?? null,
            message: c.message.slice(0, MAX_MESSAGE),
            author: { name: c.author.name ?? null, email: c.author.email ?? null, username: c.author.username ?? null },
            pusher: push.pusher?.name ?? null,
            added: capped(c.added),
            modified: capped(c.modified),
            removed: capped(c.removed),
            filesTotal: files.length,
          },
        },
      };
    }),
    ...(push.commits.length === 0 ? { ignored: 'the push carries no commits' } : {}),
  };
};

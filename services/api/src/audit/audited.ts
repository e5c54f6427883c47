import { runAsOrg, writeAudit, type AuditEntry, type Database, type JsonValue } from '@driftguard/db';
import { ProblemError } from '@driftguard/runtime';
import type { Kysely, Transaction } from 'kysely';
import { TOKEN_SESSION_PREFIX, type AuditContext } from './audit-context.js';
import { redactSecrets } from './redact.js';

/** What an audited operation changes, e.g. `{ action: 'api_token.revoked', resourceType: 'api_token' }`. */
export interface AuditSpec {
  action: string;
  resourceType: string;
  /** The resource's id when known before the change (updates, deletes); a failed create records 0. */
  resourceId?: number;
  /** What was asked, recorded (redacted) on the audit row of a failed attempt. */
  attempted?: JsonValue;
}

/** What the change reports back: the resource, its values before and after, and the route's result. */
export interface AuditedChange<T> {
  resourceId: number;
  oldValues?: JsonValue;
  newValues?: JsonValue;
  result: T;
}

function who(ctx: AuditContext): Pick<AuditEntry, 'organizationId' | 'userId' | 'sessionId' | 'ip' | 'userAgent'> {
  const actor = ctx.actor;
  return {
    organizationId: ctx.orgId,
    userId: actor.kind === 'user' ? actor.userId : null,
    sessionId:
      actor.kind === 'user' ? actor.sessionId : actor.kind === 'token' ? `${TOKEN_SESSION_PREFIX}${actor.tokenId}` : null,
    ip: ctx.ip,
    userAgent: ctx.userAgent,
  };
}

/** A failure's message as the audit row keeps it: a named error's own (safe to show), else a generic one. */
function failureMessage(err: unknown): string {
  if (err instanceof ProblemError) return `${err.code}: ${err.message}`.slice(0, 2000);
  return 'internal error';
}

const redacted = (value: JsonValue | undefined) => (value === undefined ? undefined : redactSecrets(value));

/**
 * The one way a mutation goes through the api: runs `change` in a transaction acting for the
 * caller's organization and appends its audit row (actor, action, resource, redacted old and new
 * values, IP, user agent, session) in that same transaction, so both commit or neither does. When
 * `change` throws, the change rolls back and a separate row records the failed attempt and its
 * error before the error propagates.
 */
export async function audited<T>(
  db: Kysely<Database>,
  ctx: AuditContext,
  spec: AuditSpec,
  change: (tx: Transaction<Database>) => Promise<AuditedChange<T>>,
): Promise<T> {
  return runAsOrg(ctx.orgId, async () => {
    try {
      return await db.transaction().execute(async (tx) => {
        const done = await change(tx);
        await writeAudit(tx, {
          ...who(ctx),
          action: spec.action,
          resourceType: spec.resourceType,
          resourceId: done.resourceId,
          oldValues: redacted(done.oldValues),
          newValues: redacted(done.newValues),
        });
        return done.result;
      });
    } catch (err) {
      // Best effort: when the database itself failed, the original error is what the caller needs.
      await db
        .transaction()
        .execute((tx) =>
          writeAudit(tx, {
            ...who(ctx),
            action: spec.action,
            resourceType: spec.resourceType,
            resourceId: spec.resourceId ?? 0,
            newValues: redacted(spec.attempted),
            success: false,
            errorMessage: failureMessage(err),
          }),
        )
        .catch(() => undefined);
      throw err;
    }
  });
}

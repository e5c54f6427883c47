import { Role } from '@driftguard/contracts';
import { enterOrg, type AuditEntry, type Database, type Keyring } from '@driftguard/db';
import { problemResponses, requireToken } from '@driftguard/runtime';
import type { FastifyRequest } from 'fastify';
import type { Kysely, Transaction } from 'kysely';
import { audited, type AuditSpec } from '../audit/audited.js';
import { auditContextOf, type AuditContext } from '../audit/audit-context.js';
import type { AuditWriter, ChannelConfigValidator } from '../bootstrap/index.js';

/** A channel adapter's answer to a test message (the notifier's `sendChannelTest`). */
export interface ChannelTestOutcome {
  ok: boolean;
  status?: number | null;
  retryable?: boolean;
  detail?: string | null;
}

/**
 * The notifier's channel adapters, handed in by the composition root (`dg up`): the api validates
 * channel configuration with the same schemas the notifier delivers with, and sends test messages
 * through the same adapters. Absent, channel writes answer 503.
 */
export interface ChannelAdapters {
  validate: ChannelConfigValidator;
  sendTest(db: Kysely<Database>, channelId: number): Promise<ChannelTestOutcome>;
}

/** What the control-plane routes share. */
export interface ControlPlaneDeps {
  db: Kysely<Database>;
  /** First token of published subjects (`bus.config.subjectRoot`). */
  subjectRoot: string;
  keyring: Keyring | undefined;
  channels: ChannelAdapters | undefined;
}

/** Problem answers of a control-plane route: those given, and 429 (the per-token rate limit) on every one. */
export const problems = (...statuses: number[]) => problemResponses(...statuses, 429);

export const SECURITY: Record<string, string[]>[] = [{ bearer: [] }, { session: [] }];
/** Reading drift, configuration and analytics: people and their tokens, never a scanner. */
export const READ = requireToken({ roles: [Role.enum.admin, Role.enum.engineer, Role.enum.viewer] });
/** Acting on drift, recommendations and notifications. */
export const ACT = requireToken({ roles: [Role.enum.admin, Role.enum.engineer] });
/** Changing configuration. */
export const ADMIN = requireToken({ roles: [Role.enum.admin] });

/** The caller's organization, entered for row-level security, and the audit context of the request. */
export function callerOf(request: FastifyRequest): AuditContext {
  const ctx = auditContextOf(request);
  enterOrg(ctx.orgId);
  return ctx;
}

/** The actor as commands name it: `user:<id>` or `token:<id>`. */
export function actorName(ctx: AuditContext): string {
  const a = ctx.actor;
  return a.kind === 'user' ? `user:${a.userId}` : a.kind === 'token' ? `token:${a.tokenId}` : 'system';
}

/**
 * Runs a bootstrap function (the same code `dg` runs) as one audited api change: the bootstrap's
 * audit entry becomes the request's single audit row, with the request's actor.
 */
export function auditedBootstrap<T>(
  db: Kysely<Database>,
  ctx: AuditContext,
  spec: AuditSpec,
  run: (tx: Transaction<Database>, audit: AuditWriter) => Promise<T>,
): Promise<T> {
  return audited(db, ctx, spec, async (tx) => {
    let entry: AuditEntry | undefined;
    const result = await run(tx, async (_tx, e) => {
      entry = e;
    });
    if (entry === undefined) throw new Error(`${spec.action}: the change described no audit entry`);
    return { resourceId: entry.resourceId, oldValues: entry.oldValues, newValues: entry.newValues, result };
  });
}

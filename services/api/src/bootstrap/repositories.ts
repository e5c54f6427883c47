import { IacTool } from '@driftguard/contracts';
import { encryptSecret, type Database, type Keyring } from '@driftguard/db';
import {
  ConflictError,
  createOutboundGuard,
  InvalidInputError,
  NotFoundError,
  OutboundRefusedError,
  scrubText,
  type OutboundAllowList,
} from '@driftguard/runtime';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { parseInput } from './input.js';
import { inTransaction, writeOwnAudit, type AuditWriter } from './transaction.js';
import { organizationBySlug } from './organizations.js';
import { Slug } from './slug.js';
import { uniqueViolation } from './unique-violation.js';

/** git URL forms the ingest can sync from; credentials never ride in the URL. */
export const RepositoryUrl = z
  .string()
  .trim()
  .min(1)
  .max(500)
  .refine((v) => !/\s/.test(v) && !v.startsWith('-'), { error: 'must be a git URL without spaces' })
  .refine((v) => !/^[a-z][a-z0-9+.-]*:\/\/[^/@]*:[^/@]*@/i.test(v), {
    error: 'must not contain a password; store credentials separately',
  });

export const Branch = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[\w./+@-]+$/, { error: 'must be a branch name' });

const CreateRepositoryInput = z.object({
  orgSlug: Slug,
  envSlug: Slug,
  tool: z.enum(IacTool.options, { error: `must be one of ${IacTool.options.join(', ')}` }),
  /** Display name; defaults to the last part of the URL, or `<tool>` without one. */
  name: z.string().trim().min(1).max(255).optional(),
  /** Where kubernetes and cloudformation manifests are synced from; none for upload-only repositories. */
  url: RepositoryUrl.optional(),
  branch: Branch.optional(),
  /** A token, or JSON `{ "username"?, "token" | "password" }`; stored encrypted. */
  credentials: z.string().min(1).optional(),
});
export type CreateRepositoryInput = z.input<typeof CreateRepositoryInput> & {
  /** Encrypts `credentials`; required when they are given. */
  keyring?: Keyring;
  /** Which internal targets the URL may name: `DG_OUTBOUND_ALLOW`, and `DG_REPO_ALLOW_LOCAL` for paths and file:// */
  outbound?: { allow?: OutboundAllowList; allowLocal?: boolean };
};

export interface RepositoryRef {
  id: number;
  orgSlug: string;
  envSlug: string;
  envId: number;
  name: string;
  tool: IacTool;
  url: string | null;
  branch: string;
  hasCredentials: boolean;
}

/**
 * The additional authenticated data binding credentials to their row (the ingest decrypts with
 * the same string): a ciphertext copied onto another repository does not decrypt.
 */
export function repositoryCredentialsContext(repositoryId: number): string {
  return `iac_repositories.credentials_encrypted:${repositoryId}`;
}

/**
 * Registers an IaC repository of an environment, with its audit row, in one transaction.
 * Credentials are encrypted with the keyring's current key; they never reach the audit row.
 * Throws InvalidInputError (bad input, credentials without a URL or keyring), NotFoundError
 * (unknown organization or environment) or ConflictError (same URL and branch, or same name, in
 * the environment).
 */
export async function createRepository(
  db: Kysely<Database>,
  input: CreateRepositoryInput,
  audit: AuditWriter = writeOwnAudit,
): Promise<RepositoryRef> {
  const { keyring, outbound, ...fields } = input;
  const {
    orgSlug,
    envSlug,
    tool,
    url,
    branch = 'main',
    credentials,
    name: givenName,
  } = parseInput(CreateRepositoryInput, fields, 'repository');
  if (url !== undefined) checkReachable(url, outbound);
  if (credentials !== undefined) {
    if (url === undefined)
      throw new InvalidInputError('invalid repository: credentials need a repository URL', [
        { path: 'credentials', message: 'needs url' },
      ]);
    if (keyring === undefined) {
      throw new InvalidInputError('invalid repository: storing credentials needs DG_MASTER_KEY', [
        { path: 'credentials', message: 'DG_MASTER_KEY is not set' },
      ]);
    }
    checkCredentialsShape(credentials);
  }
  const name = givenName ?? defaultName(url, tool);
  try {
    return await inTransaction(db, async (tx) => {
      const org = await organizationBySlug(tx, orgSlug);
      // Locked so two registrations of one name in an environment cannot both pass the check.
      const env = await tx
        .selectFrom('environments')
        .select('id')
        .where('organization_id', '=', org.id)
        .where('slug', '=', envSlug)
        .forUpdate()
        .executeTakeFirst();
      if (!env) throw new NotFoundError(`environment "${orgSlug}/${envSlug}" not found`);
      const sameName = await tx
        .selectFrom('iac_repositories')
        .select('id')
        .where('environment_id', '=', env.id)
        .where('name', '=', name)
        .executeTakeFirst();
      if (sameName)
        throw new ConflictError(
          `environment "${orgSlug}/${envSlug}" already has a repository named "${name}" (id ${sameName.id})`,
          'duplicate',
        );

      const row = await tx
        .insertInto('iac_repositories')
        .values({ environment_id: env.id, name, tool, repository_url: url ?? null, branch })
        .returning('id')
        .executeTakeFirstOrThrow();
      if (credentials !== undefined) {
        const ciphertext = encryptSecret(credentials, keyring!, repositoryCredentialsContext(row.id));
        await tx.updateTable('iac_repositories').set({ credentials_encrypted: ciphertext }).where('id', '=', row.id).execute();
      }
      await audit(tx, {
        organizationId: org.id,
        action: 'iac_repository.created',
        resourceType: 'iac_repository',
        resourceId: row.id,
        newValues: {
          environmentId: env.id,
          name,
          tool,
          url: url === undefined ? null : scrubText(url),
          branch,
          hasCredentials: credentials !== undefined,
        },
      });
      return {
        id: row.id,
        orgSlug,
        envSlug,
        envId: env.id,
        name,
        tool,
        url: url ?? null,
        branch,
        hasCredentials: credentials !== undefined,
      };
    });
  } catch (error) {
    if (!uniqueViolation(error)) throw error;
    throw new ConflictError(
      `environment "${orgSlug}/${envSlug}" already has repository ${url} on branch ${branch}`,
      'duplicate',
      { cause: error },
    );
  }
}

/**
 * Refuses a URL naming this host, an internal network or the cloud metadata service (in any
 * spelling of the address), or a local path unless allowed. The ingest checks again after DNS
 * resolution before every sync: a name's answer may change after registration.
 */
export function checkReachable(url: string, outbound: CreateRepositoryInput['outbound']): void {
  try {
    createOutboundGuard({ allow: outbound?.allow ?? [] }).checkUrl(url, {
      schemes: ['https', 'http', 'ssh', 'git'],
      allowLocal: outbound?.allowLocal ?? false,
    });
  } catch (error) {
    if (!(error instanceof OutboundRefusedError)) throw error;
    throw new InvalidInputError(`invalid repository: url ${error.message}`, [{ path: 'url', message: error.message }], {
      cause: error,
    });
  }
}

/** `git@host:org/infra.git` → `infra`; without a URL, the tool. */
function defaultName(url: string | undefined, tool: IacTool): string {
  if (url === undefined) return tool;
  const last =
    url
      .replace(/[/\\]+$/, '')
      .split(/[/\\:]/)
      .pop() ?? '';
  return last.replace(/\.git$/, '').slice(0, 255) || tool;
}

/** JSON credentials must carry a token or password; the message never echoes them. */
export function checkCredentialsShape(credentials: string): void {
  const trimmed = credentials.trim();
  if (!trimmed.startsWith('{')) return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    throw new InvalidInputError('invalid repository: credentials look like JSON but do not parse', [
      { path: 'credentials', message: 'invalid JSON' },
    ]);
  }
  const { token, password, username } = (parsed ?? {}) as Record<string, unknown>;
  const secret = typeof token === 'string' && token !== '' ? token : password;
  if (typeof secret !== 'string' || secret === '' || (username !== undefined && typeof username !== 'string')) {
    throw new InvalidInputError(
      'invalid repository: JSON credentials need a "token" or "password" string (and an optional "username" string)',
      [{ path: 'credentials', message: 'needs token or password' }],
    );
  }
}

import { createPgliteDb, migratePglite, type Database } from '@driftguard/db';
import { createSessionVerifier } from '@driftguard/runtime';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrganization } from '../src/bootstrap/organizations.js';
import { passwordLogin } from '../src/identity/login.js';
import { createUserFromShell } from '../src/identity/shell-users.js';

// `dg up` without DATABASE_URL: one embedded database, one role, the same migrations and functions.
let lite: Kysely<Database>;
beforeAll(async () => {
  lite = await createPgliteDb();
  await migratePglite(lite);
});
afterAll(async () => lite?.destroy());

describe('console sign-in on the embedded database', () => {
  it('creates the first administrator, signs in and verifies the session cookie', async () => {
    const org = await createOrganization(lite, { slug: 'acme' });
    const admin = await createUserFromShell(lite, {
      email: 'root@acme.example',
      role: 'admin',
      password: 'a long enough password',
    });
    expect(admin).toMatchObject({ orgId: org.id, role: 'admin' });
    const settings = { ttlMs: 3_600_000, idleMs: 600_000, secureCookie: true };
    const started = await passwordLogin(
      lite,
      settings,
      { email: 'root@acme.example', password: 'a long enough password' },
      { ip: '127.0.0.1', userAgent: null },
    );
    const principal = await createSessionVerifier(lite, { idleTimeoutMs: settings.idleMs }).verify(started.secret);
    expect(principal).toMatchObject({ userId: admin.id, orgId: org.id, role: 'admin' });
    const audit = await lite.selectFrom('audit_log').select(['action', 'success']).orderBy('id').execute();
    expect(audit).toEqual([
      { action: 'organization.created', success: true },
      { action: 'user.created', success: true },
      { action: 'user_session.created', success: true },
    ]);
  });
});

import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The organization the current unit of work acts for. A pool opened with a service role
 * (createDb `role`) copies it into the session setting `dg.org_id` each time it hands out a
 * connection, so row-level security scopes every query issued inside — however deep in the call
 * stack — without passing the organization down. Outside any scope the setting is empty and the
 * policies show no tenant row at all (fail closed).
 */
const currentOrganization = new AsyncLocalStorage<number>();

function checked(orgId: number): number {
  if (!Number.isSafeInteger(orgId) || orgId <= 0) throw new RangeError(`invalid organization id ${orgId}`);
  return orgId;
}

/** Runs `fn` acting for organization `orgId`: its queries see and write that organization's rows only. */
export function runAsOrg<T>(orgId: number, fn: () => T): T {
  return currentOrganization.run(checked(orgId), fn);
}

/**
 * Acts for organization `orgId` from here to the end of the calling async function (and what it
 * awaits). For request handlers that learn the organization only after authenticating.
 */
export function enterOrg(orgId: number): void {
  currentOrganization.enterWith(checked(orgId));
}

/** The organization of the current scope, or undefined outside any. */
export function currentOrg(): number | undefined {
  return currentOrganization.getStore();
}

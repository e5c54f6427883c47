import { hash, verify } from '@node-rs/argon2';

/**
 * Argon2id with OWASP's minimum (19 MiB, 2 passes, 1 lane): about 17 ms to hash and 18 ms to verify on one core here,
 * slow enough to make offline guessing expensive, quick enough for a sign-in. Argon2id is the
 * library's default algorithm (its `Algorithm` is a const enum, which this build cannot import).
 */
const PARAMS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** The PHC string (`$argon2id$v=19$m=…`) stored in `users.password_hash`. */
export function hashPassword(password: string): Promise<string> {
  return hash(password, PARAMS);
}

// Verified against when the email is unknown or has no password, so such a sign-in takes as long
// as a wrong password and does not reveal which emails exist.
let decoy: Promise<string> | undefined;

/** True when `password` matches `stored`; a null `stored` costs the same and is false. */
export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  if (stored === null) {
    await verify(await (decoy ??= hashPassword('driftguard-decoy-password')), password).catch(() => false);
    return false;
  }
  return verify(stored, password).catch(() => false);
}

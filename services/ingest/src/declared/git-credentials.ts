import { decryptSecret, SecretError, type Keyring } from '@driftguard/db';
import { scrubText } from '@driftguard/runtime';

/** Repository credentials as stored (encrypted) in `iac_repositories.credentials_encrypted`. */
export interface GitCredentials {
  username?: string;
  /** token or password */
  secret: string;
}

/**
 * The additional authenticated data binding a repository's ciphertext to its row: a ciphertext
 * copied onto another repository does not decrypt. Writers of `credentials_encrypted` must use it.
 */
export function credentialsContext(repositoryId: number): string {
  return `iac_repositories.credentials_encrypted:${repositoryId}`;
}

/**
 * Decrypts and parses stored credentials: JSON `{ "username"?, "token" | "password" }` or a raw
 * token. Values encrypted without the row context (written before it was used) still decrypt.
 */
export function decryptCredentials(ciphertext: Uint8Array, keyring: Keyring, repositoryId: number): GitCredentials {
  let plaintext: string;
  try {
    plaintext = decryptSecret(ciphertext, keyring, credentialsContext(repositoryId));
  } catch (err) {
    if (!(err instanceof SecretError) || err.code !== 'decryption_failed') throw err;
    plaintext = decryptSecret(ciphertext, keyring);
  }
  return parseCredentials(plaintext);
}

export function parseCredentials(plaintext: string): GitCredentials {
  const trimmed = plaintext.trim();
  if (trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw new Error('the stored credentials look like JSON but do not parse');
    }
    const { username, token, password } = (parsed ?? {}) as Record<string, unknown>;
    const secret = typeof token === 'string' && token !== '' ? token : password;
    if (typeof secret !== 'string' || secret === '') throw new Error('the stored credentials have no "token" or "password"');
    if (username !== undefined && typeof username !== 'string')
      throw new Error('the stored credentials\' "username" is not a string');
    return { ...(username ? { username } : {}), secret };
  }
  if (trimmed === '') throw new Error('the stored credentials are empty');
  return { secret: trimmed };
}

/**
 * `Authorization: Basic …` for git over HTTPS. Hosts take a token as the password of any user:
 * GitHub `x-access-token`, GitLab `oauth2`; a username stored with the token wins.
 */
export function basicAuthHeader(credentials: GitCredentials): string {
  const user = credentials.username ?? 'x-access-token';
  return `Authorization: Basic ${Buffer.from(`${user}:${credentials.secret}`, 'utf8').toString('base64')}`;
}

/**
 * Removes every form of the secret from text that may reach a log or an error: the value itself,
 * its URL-encoded and Basic-auth forms, URL userinfo, Authorization header values and bearer tokens.
 */
export function redactCredentials(text: string, credentials: GitCredentials | undefined): string {
  let out = text;
  if (credentials) {
    const forms = [
      credentials.secret,
      encodeURIComponent(credentials.secret),
      basicAuthHeader(credentials).slice('Authorization: Basic '.length),
    ].filter((s) => s.length >= 4);
    for (const form of forms) out = out.split(form).join('[redacted]');
  }
  // Header lines git may echo (http.extraHeader, curl traces), whatever the scheme.
  out = out.replace(/(authorization:\s*)(?:[A-Za-z]+\s+)?[^\s'"]+/gi, '$1[redacted]');
  return scrubText(out);
}

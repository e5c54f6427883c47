import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EMBEDDED_DATA_DIR } from './embedded-database.js';

/** The file of the embedded database's master key, in its data directory. */
export const EMBEDDED_MASTER_KEY_FILE = 'master.key';

export interface EmbeddedMasterKey {
  /** A `DG_MASTER_KEY` value (`kid:base64(32 bytes)`). */
  value: string;
  path: string;
  created: boolean;
}

/**
 * The master key of `dg up` on its embedded database when DG_MASTER_KEY is not set: created once
 * in `<cwd>/.dg-data/master.key` (mode 0600) and read back on later starts, so hashes of masked
 * secrets (and encrypted credentials) stay comparable across restarts. Any other mode must be
 * given DG_MASTER_KEY.
 */
export function embeddedMasterKey(cwd: string): EmbeddedMasterKey {
  const dir = resolve(cwd, EMBEDDED_DATA_DIR);
  const path = join(dir, EMBEDDED_MASTER_KEY_FILE);
  mkdirSync(dir, { recursive: true });
  try {
    const value = readFileSync(path, 'utf8').trim();
    if (value !== '') return { value, path, created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const value = `local1:${randomBytes(32).toString('base64')}`;
  try {
    // 'wx': two first starts racing keep one key, the one written first.
    writeFileSync(path, `${value}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return { value: readFileSync(path, 'utf8').trim(), path, created: false };
  }
  chmodSync(path, 0o600);
  return { value, path, created: true };
}

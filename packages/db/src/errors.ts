/** Why a write was refused by the table-ownership map. */
export type OwnershipErrorCode = 'table_not_owned' | 'column_not_owned' | 'unknown_table';

/** A service tried to write a table (or columns) another unit owns; it should send a message. */
export class OwnershipError extends Error {
  override readonly name = 'OwnershipError';
  constructor(
    readonly code: OwnershipErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Why running migrations failed. */
export type MigrationErrorCode = 'migration_failed';

/**
 * Migrations could not be applied. Pending migrations run in one transaction, so after a failure
 * none of that run is applied; `migration` names the one that failed (null: failed before any).
 */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';
  constructor(
    readonly code: MigrationErrorCode,
    message: string,
    readonly migration: string | null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Why a secret could not be encrypted or decrypted. Messages never contain key material. */
export type SecretErrorCode = 'invalid_keyring' | 'unknown_key' | 'malformed_ciphertext' | 'decryption_failed';

/** A keyring or ciphertext problem in encryptSecret / decryptSecret / parseKeyring. */
export class SecretError extends Error {
  override readonly name = 'SecretError';
  constructor(
    readonly code: SecretErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

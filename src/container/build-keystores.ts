import type { Container } from 'inversify';
import type { Keystore, KeystoreId } from '../keystores/keystore.js';
import { ConfigError, type S3SealConfig } from './config.js';
import { configLabel, type ConfigSource } from './config-source.js';
import { getService, TOKENS, type Token } from './tokens.js';

/** each keystore's own token (a module may rebind it: what is bound there is what gets built) */
export const KEYSTORE_TOKENS: Readonly<Record<KeystoreId, Token<Keystore>>> = { file: TOKENS.FileKeystore, vault: TOKENS.VaultKeystore, awskms: TOKENS.AwsKmsKeystore };

/**
 * Builds every configured keystore while the container is created, so what a keystore checks when
 * it is built fails the start, not the first request: the file keystore's key file (missing,
 * unreadable, not JSON, group- or world-readable: key-file.ts), Vault's address scheme and CA file.
 * Building reaches no server (that is startContainer's `startupChecks`). The failure names the
 * keystore's configuration section and the profile.
 */
export function buildKeystores(c: Container, config: S3SealConfig, source: ConfigSource | undefined): void {
  for (const id of Object.keys(KEYSTORE_TOKENS) as KeystoreId[]) {
    if (config.keystores[id] === undefined) continue;
    try {
      getService(c, KEYSTORE_TOKENS[id]);
    } catch (err) {
      throw new ConfigError(`${configLabel(source)}: keystores.${id}: ${(err as Error).message}`, { cause: err });
    }
  }
}

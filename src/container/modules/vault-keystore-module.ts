import { readFileSync } from 'node:fs';
import { ContainerModule } from 'inversify';
import { KeystoreError } from '../../keystores/keystore-error.js';
import { VaultKeystore, type VaultKeystoreOptions } from '../../keystores/vault/vault-keystore.js';
import type { S3SealConfig } from '../config.js';
import { bindService, TOKENS } from '../tokens.js';

type VaultConfig = NonNullable<S3SealConfig['keystores']['vault']>;

/** the CA file, read when the keystore is built (createContainer): a missing one fails the start, naming the path */
function readCa(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new KeystoreError('KeyStoreMisconfigured', `caFile ${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
  }
}

function vaultOptions(v: VaultConfig): VaultKeystoreOptions {
  return {
    address: v.address,
    auth: v.auth,
    allowInsecureHttp: v.allowInsecureHttp,
    ...(v.namespace ? { namespace: v.namespace } : {}),
    ...(v.caFile ? { caPem: readCa(v.caFile) } : {}),
  };
}

/**
 * Vault / OpenBao Transit, under its own token and in the `Keystore` multi-binding. Closing the
 * container closes its HTTP agent (and with it the token renewal), so no socket outlives it.
 */
export function vaultKeystoreModule(vault: VaultConfig): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bindService(bind, TOKENS.VaultKeystore)
      .toDynamicValue(() => new VaultKeystore(vaultOptions(vault)))
      .onDeactivation((ks) => ks.close());
    bindService(bind, TOKENS.Keystore).toService(TOKENS.VaultKeystore);
  });
}

import { ContainerModule } from 'inversify';
import { FileKeystore } from '../../keystores/file-keystore.js';
import type { S3SealConfig } from '../config.js';
import { bindService, TOKENS } from '../tokens.js';

type FileKeystoreConfig = NonNullable<S3SealConfig['keystores']['file']>;

/**
 * The file keystore, under its own token and in the `Keystore` multi-binding (an alias: rebinding
 * TOKENS.FileKeystore changes what the registry gets too). It holds no client to close; its root keys
 * live in the key file, which it re-reads before every use.
 */
export function fileKeystoreModule(file: FileKeystoreConfig): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bindService(bind, TOKENS.FileKeystore).toDynamicValue(() => new FileKeystore(file));
    bindService(bind, TOKENS.Keystore).toService(TOKENS.FileKeystore);
  });
}

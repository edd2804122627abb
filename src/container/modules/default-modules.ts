import { ContainerModule } from 'inversify';
import type { S3SealConfig } from '../config.js';
import { awsKmsKeystoreModule } from './awskms-keystore-module.js';
import { backendModule } from './backend-module.js';
import { engineModule } from './engine-module.js';
import { fileKeystoreModule } from './file-keystore-module.js';
import { gatewayModule } from './gateway-module.js';
import { keystoreRegistryModule } from './keystore-registry-module.js';
import { policiesModule } from './policies-module.js';
import { s3CoreModule } from './s3-core-module.js';
import { vaultKeystoreModule } from './vault-keystore-module.js';
import { bindService, TOKENS } from '../tokens.js';

/** the validated configuration itself, for any piece that needs more than its own section */
export function configModule(config: S3SealConfig): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bindService(bind, TOKENS.Config).toConstantValue(config);
  });
}

/**
 * The modules a configuration asks for, in dependency order (DESIGN.md "Architecture"): only the
 * keystores it configures are loaded, so an unconfigured one is not even bound.
 */
export function defaultModules(config: S3SealConfig): ContainerModule[] {
  const k = config.keystores;
  return [
    configModule(config),
    backendModule(config.backend),
    ...(k.file ? [fileKeystoreModule(k.file)] : []),
    ...(k.vault ? [vaultKeystoreModule(k.vault)] : []),
    ...(k.awskms ? [awsKmsKeystoreModule(k.awskms)] : []),
    keystoreRegistryModule(config),
    policiesModule(config),
    // the doors (src/adapters/{sdk-v3,minio,gateway}/) that need services of their own have a module after the core
    engineModule(config),
    s3CoreModule(),
    gatewayModule(config),
  ];
}

import { ContainerModule } from 'inversify';
import { S3Core } from '../../adapters/s3/s3-core.js';
import { bindService, getService, TOKENS } from '../tokens.js';

/**
 * The S3 core over the engine facade (objects) and the backend port (bucket operations that cannot
 * expose data): doors get it as TOKENS.S3Core. Rebind the token to pass other S3CoreOptions.
 */
export function s3CoreModule(): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bindService(bind, TOKENS.S3Core).toDynamicValue((ctx) => new S3Core({ facade: getService(ctx, TOKENS.ObjectFacade) }));
  });
}

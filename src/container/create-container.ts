import 'reflect-metadata';
import { Container, type ContainerModule } from 'inversify';
import { resolveConfig } from './config.js';
import { defaultModules } from './modules/default-modules.js';

export interface CreateContainerOptions {
  /**
   * loaded after the defaults: a module may `rebind` any token (e.g. TOKENS.ObjectStore to a store
   * that records calls) or `bind` more (e.g. one more keystore under TOKENS.Keystore)
   */
  modules?: readonly ContainerModule[];
}

/**
 * The only place that knows concrete classes (DESIGN.md "Architecture"): one ContainerModule per part
 * (src/container/modules/), loaded from the validated configuration. Classes stay plain and
 * constructible by hand; bindings are factories that ask for their dependencies by explicit token, so
 * no decorator metadata is needed (tsc/esbuild emit none for interfaces anyway). Services are
 * singletons, built on first use; close the container with `closeContainer`.
 */
export function createContainer(input: unknown, opts: CreateContainerOptions = {}): Container {
  const config = resolveConfig(input);
  const c = new Container({ defaultScope: 'Singleton' });
  c.load(...defaultModules(config), ...(opts.modules ?? []));
  return c;
}

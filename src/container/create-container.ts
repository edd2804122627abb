import 'reflect-metadata';
import { Container, type ContainerModule } from 'inversify';
import { buildKeystores } from './build-keystores.js';
import { resolveConfig } from './config.js';
import { configSourceOf } from './config-source.js';
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
 * singletons, built on first use — except the configured keystores, built here so that a bad key
 * file or Vault address fails the start (build-keystores.ts); the policy document is read here too
 * (policies-module.ts). Close the container with `closeContainer`. `input` is a configuration
 * (checked and defaulted by resolveConfig) or what `loadConfig()` returned.
 */
export function createContainer(input: unknown, opts: CreateContainerOptions = {}): Container {
  const config = resolveConfig(input);
  const c = new Container({ defaultScope: 'Singleton' });
  c.load(...defaultModules(config), ...(opts.modules ?? []));
  buildKeystores(c, config, configSourceOf(input));
  return c;
}

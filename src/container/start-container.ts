import type { Container } from 'inversify';
import { closeContainer } from './close-container.js';
import { configSourceOf } from './config-source.js';
import { createContainer, type CreateContainerOptions } from './create-container.js';
import { checkKeystores } from './startup-checks.js';
import { getService, TOKENS } from './tokens.js';

/**
 * createContainer, then the configuration's `startupChecks` (doctor-style: each configured keystore
 * reached and the keys the configuration names described), so a service fails when it starts, not
 * at its first request: `const container = await startContainer(loadConfig())`. A failed check
 * closes the container and throws StartupCheckError. Hand the container to a door:
 * `getS3SealPlugin(container)`.
 */
export async function startContainer(input: unknown, opts: CreateContainerOptions = {}): Promise<Container> {
  const c = createContainer(input, opts);
  const config = getService(c, TOKENS.Config);
  if (!config.startupChecks.keystores) return c;
  try {
    await checkKeystores(c, config, configSourceOf(input));
  } catch (err) {
    await closeContainer(c);
    throw err;
  }
  return c;
}

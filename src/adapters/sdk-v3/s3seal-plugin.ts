import type { ServiceInputTypes, ServiceOutputTypes } from '@aws-sdk/client-s3';
import type { Pluggable } from '@smithy/types';
import type { Container } from 'inversify';
import type { S3SealConfigInput } from '../../container/config.js';
import { closeContainer } from '../../container/close-container.js';
import { createContainer } from '../../container/create-container.js';
import { getService, TOKENS } from '../../container/tokens.js';
import type { S3Core } from '../s3/s3-core.js';
import { sdkDoor } from './sdk-door-middleware.js';
import { resolvePluginOptions, type S3SealPluginOptions } from './sdk-door-options.js';

/** The SDK door as a plugin: `client.middlewareStack.use(getS3SealPlugin(config))`. */
export interface S3SealPlugin extends Pluggable<ServiceInputTypes, ServiceOutputTypes> {
  /** the container whose S3 core serves this plugin's requests */
  readonly container: Container;
  /** closes the container if the plugin created it from a configuration; a container passed in stays its owner's to close */
  close(): Promise<void>;
}

function isContainer(x: unknown): x is Container {
  return typeof x === 'object' && x !== null && typeof (x as Container).get === 'function' && typeof (x as Container).isBound === 'function';
}

/**
 * The AWS SDK v3 door (DESIGN.md "Doors"): one line in an existing service,
 * `client.middlewareStack.use(getS3SealPlugin(config))`, and every request the client sends is
 * served in-process by the S3 core of `configOrContainer` — an s3seal configuration (a container
 * is created from it, owned by the plugin: `close()` it) or a container built with
 * `createContainer`. The client's own endpoint and credentials are never used: the core reaches
 * the backend through the container's plugin-free S3Client. The core is built on the first request.
 */
export function getS3SealPlugin(configOrContainer: S3SealConfigInput | Container, options: S3SealPluginOptions = {}): S3SealPlugin {
  const owned = !isContainer(configOrContainer);
  const container = isContainer(configOrContainer) ? configOrContainer : createContainer(configOrContainer);
  let core: S3Core | undefined;
  const door = sdkDoor(() => (core ??= getService(container, TOKENS.S3Core)), resolvePluginOptions(options));
  let closing: Promise<void> | undefined;
  return {
    container,
    applyToStack: (stack) => door.applyToStack(stack),
    close: () => (closing ??= owned ? closeContainer(container) : Promise.resolve()),
  };
}

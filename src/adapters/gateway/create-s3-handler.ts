import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Container } from 'inversify';
import type { S3SealConfigInput } from '../../container/config.js';
import { createContainer } from '../../container/create-container.js';
import { getService, TOKENS } from '../../container/tokens.js';

/** a node:http request listener serving the encrypting S3 endpoint */
export type S3RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

function isContainer(x: unknown): x is Container {
  return typeof (x as Container | undefined)?.get === 'function' && typeof (x as Container | undefined)?.isBound === 'function';
}

/**
 * The gateway as a plain request listener (issue 10 "Mountable"): `http.createServer(handler)`, or
 * mounted by an existing Express / Fastify / Koa / node:http service under a path prefix of its own
 * (the signature is checked over the URL the client signed, `originalUrl` where the framework keeps
 * it). Given a configuration it builds its own container (close it with the process); given a
 * container it uses that one's S3 core, access keys and gateway settings. Access keys come from the
 * policy document (config `policy`): without one the container refuses to build a gateway.
 */
export function createS3Handler(source: S3SealConfigInput | Container): S3RequestListener {
  const container = isContainer(source) ? source : createContainer(source);
  return getService(container, TOKENS.S3Gateway).listener;
}

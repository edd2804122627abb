import type { ServiceInputTypes, ServiceOutputTypes } from '@aws-sdk/client-s3';
import { HttpRequest, HttpResponse } from '@smithy/core/transport';
import type { DeserializeMiddleware, HandlerExecutionContext, InitializeMiddleware, Pluggable } from '@smithy/types';
import { s3ErrorShape } from '../s3/s3-error-shape.js';
import { s3ErrorXml } from '../s3/s3-error-xml.js';
import type { S3Request } from '../s3/s3-request.js';
import type { S3Response } from '../s3/s3-response.js';
import { PresignUnsupportedError } from './presign-unsupported-error.js';
import type { ResolvedPluginOptions } from './sdk-door-options.js';
import { toHttpResponse } from './to-http-response.js';
import { toS3Request } from './to-s3-request.js';
import type { TargetHints } from './request-target.js';

/** What the door hands requests to: the S3 core (`S3Core.handle`). */
export interface S3RequestHandler {
  handle(req: S3Request): Promise<S3Response>;
}

export const DOOR_MIDDLEWARE = 's3sealDoor';
export const PRESIGN_GUARD_MIDDLEWARE = 's3sealPresignGuard';

/** an error the door itself raised (a request no S3 request can be), answered as S3 would answer it */
function errorResponse(err: unknown, req: { bucket?: string; key?: string } = {}): S3Response {
  const shape = s3ErrorShape(err);
  const resource = req.bucket === undefined ? '/' : `/${req.bucket}${req.key === undefined ? '' : `/${req.key}`}`;
  return { status: shape.status, headers: { 'content-type': 'application/xml' }, body: s3ErrorXml(shape, { resource }) };
}

function hintsOf(input: object, context: HandlerExecutionContext): TargetHints {
  const bucket = (input as { Bucket?: unknown }).Bucket;
  const endpointPath = context.endpointV2?.url.pathname;
  return { ...(typeof bucket === 'string' ? { bucket } : {}), ...(endpointPath !== undefined ? { endpointPath } : {}) };
}

/**
 * The two middlewares of the SDK door (DESIGN.md "Doors").
 *
 * The door sits at `deserialize`/`low`: below the SDK's deserializer, after retries, checksums and
 * signing, so it sees the final signed HttpRequest (test/helpers/sdk-wire-capture.ts) and its
 * HttpResponse is deserialized as one off a socket. It never calls `next`: the core is this
 * client's transport, and the backend is reached by the container's own, plugin-free S3Client.
 *
 * The guard sits outermost (`initialize`/`high`) and refuses presigning. `getSignedUrl` runs a
 * clone of the client's stack with its own middleware before signing that answers with the URL
 * and never calls further down, so the door is not reached; the guard sees a result that came
 * from no transport (no HttpResponse) in an execution the door never saw, and throws instead of
 * letting a URL past the encryption escape.
 */
export function sdkDoor(handler: () => S3RequestHandler, options: ResolvedPluginOptions): Pluggable<ServiceInputTypes, ServiceOutputTypes> {
  // executions (contexts are one object per `send`) in which the door answered
  const answered = new WeakSet<HandlerExecutionContext>();

  const door: DeserializeMiddleware<ServiceInputTypes, ServiceOutputTypes> = (_next, context) => async (args) => {
    answered.add(context);
    const request = args.request;
    if (!HttpRequest.isInstance(request)) throw new TypeError('s3seal SDK door: the request is not an HttpRequest');
    // a container that cannot build the core is the caller's own setup error: thrown as it is
    const core = handler();
    let req: S3Request | undefined;
    let res: S3Response;
    try {
      req = toS3Request(request, options, hintsOf(args.input, context));
      res = await core.handle(req);
    } catch (err) {
      // the core answers its own errors; this is what fails before it (conversion) or a core bug
      res = errorResponse(err, req);
    }
    return { response: toHttpResponse(res, request.method.toUpperCase()) };
  };

  const guard: InitializeMiddleware<ServiceInputTypes, ServiceOutputTypes> = (next, context) => async (args) => {
    const result = await next(args);
    if (!answered.has(context) && !HttpResponse.isInstance(result.response)) throw new PresignUnsupportedError();
    return result;
  };

  return {
    applyToStack: (stack) => {
      stack.add(guard, { step: 'initialize', priority: 'high', name: PRESIGN_GUARD_MIDDLEWARE });
      stack.add(door, { step: 'deserialize', priority: 'low', name: DOOR_MIDDLEWARE });
    },
  };
}

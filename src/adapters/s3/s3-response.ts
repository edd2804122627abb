import type { Readable } from 'node:stream';

/**
 * What the S3 core hands back to a door (DESIGN.md "Doors"): status, lower-case headers and a body
 * (a stream for object bodies, a buffer for XML documents and errors). Doors copy it onto their
 * transport unchanged.
 */
export interface S3Response {
  status: number;
  headers: Record<string, string>;
  body?: Readable | Buffer;
}

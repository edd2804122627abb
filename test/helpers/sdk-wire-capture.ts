/**
 * What the real @aws-sdk/client-s3 puts on the wire, without a network: a middleware at the innermost
 * position (step deserialize, priority low — where the SDK plugin door sits) captures the finished
 * HttpRequest, reads its body stream whole, and answers 200.
 */
import { Readable } from 'node:stream';
import { PutObjectCommand, S3Client, type ChecksumAlgorithm as SdkChecksumAlgorithm } from '@aws-sdk/client-s3';
import { HttpResponse } from '@smithy/core/transport';
import type { HttpRequest } from '@smithy/types';

export interface Captured {
  headers: Record<string, string>;
  body: Buffer;
}

/** Sends one PutObject through a real S3Client whose innermost middleware captures the wire request. */
export async function sdkPut(body: Buffer | Readable, input: { ChecksumAlgorithm?: SdkChecksumAlgorithm; ContentMD5?: string; ContentLength?: number } = {}): Promise<Captured> {
  const client = new S3Client({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', forcePathStyle: true, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' } });
  let captured: Captured | undefined;
  client.middlewareStack.add(
    (_next) => async (args) => {
      const req = args.request as HttpRequest;
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = v;
      const parts: Buffer[] = [];
      const b = req.body as Readable | Uint8Array | string | undefined;
      if (b instanceof Readable) for await (const c of b as AsyncIterable<Buffer | string>) parts.push(Buffer.from(c));
      else if (b !== undefined) parts.push(Buffer.from(b));
      captured = { headers, body: Buffer.concat(parts) };
      return { response: new HttpResponse({ statusCode: 200, headers: { etag: '"x"' }, body: Readable.from([]) }), output: {} as never };
    },
    { step: 'deserialize', priority: 'low', name: 'captureWire' },
  );
  try {
    await client.send(new PutObjectCommand({ Bucket: 'b', Key: 'k', Body: body, ...input }));
  } finally {
    client.destroy();
  }
  if (!captured) throw new Error('no request captured');
  return captured;
}


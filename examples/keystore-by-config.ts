/**
 * Example: one service, keystores switched per environment by configuration only. The code below
 * never names a keystore class: the container builds whatever the configuration lists, and the keyRef
 * (`file:…`, `vault:<mount>/<name>`, `alias/…` or an ARN) picks it.
 *
 * The test suite runs `main` three times — file keystore, OpenBao Transit, local-kms — against MinIO
 * (test/integration/examples.test.ts).
 */
import { randomBytes } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { closeContainer, createContainer, getService, TOKENS, type S3SealConfigInput } from '../src/index.js';

export async function main(config: S3SealConfigInput, keyRef: string, bucket: string): Promise<{ storedKeyId: string | undefined; roundTrip: string }> {
  // reads are pinned to configured keys (DESIGN.md "Reads take the key from the envelope, and check it is allowed")
  const container = createContainer({ ...config, readKeys: [keyRef] });
  const objects = getService(container, TOKENS.ObjectFacade);

  // SSE-KMS with an encryption context, in bucket-key mode (one KMS call serves many objects)
  const o = { bucket, key: `invoices/${randomBytes(4).toString('hex')}.json`, principal: 'invoices-service' };
  const body = Buffer.from('{"invoice": 42, "total": "99.00"}');
  try {
    await objects.putObject({ ...o, body, contentLength: body.length, encryption: { mode: 'SSE-KMS', keyRef, context: { service: 'invoices' }, bucketKey: true }, userMetadata: { 'content-kind': 'invoice' } });
    // HEAD uses no key: the echo (key id as stored, an alias resolved to its ARN) comes from the envelope
    const head = await objects.headObject(o);
    // GET takes mode, key and bucket-key mode from the envelope: the caller names none of them
    const back = await buffer((await objects.getObject(o)).body);
    return { storedKeyId: head.sse?.keyId, roundTrip: back.toString() };
  } finally {
    // clients destroyed (the Vault agent closed), the cached bucket key zeroed
    await closeContainer(container);
  }
}

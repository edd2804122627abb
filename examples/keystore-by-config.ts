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
  const container = createContainer(config);
  const objects = getService(container, TOKENS.SealedObjects);
  const keystores = getService(container, TOKENS.KeystoreRegistry);

  // SSE-KMS with an encryption context, in bucket-key mode (one KMS call serves many objects)
  const keys = keystores.resolver({ mode: 'SSE-KMS', keyRef, context: { service: 'invoices' }, bucketKeyPrincipal: 'invoices-service' });
  const object = { bucket, key: `invoices/${randomBytes(4).toString('hex')}.json` };
  const body = Buffer.from('{"invoice": 42, "total": "99.00"}');
  try {
    await objects.put(object, body, body.length, { 'content-kind': 'invoice' }, keys);
    const head = await objects.head(object);
    const back = await buffer((await objects.get(object, keys)).stream);
    return { storedKeyId: head.envelope?.keyRef, roundTrip: back.toString() };
  } finally {
    // clients destroyed (the Vault agent closed), the cached bucket key zeroed
    await closeContainer(container);
  }
}

import type { Envelope } from '../../crypto/envelope.js';
import type { ObjectId } from '../../crypto/object-id.js';
import type { KeyResolver } from '../key-resolver.js';
import type { WrapFields } from '../object-writer.js';

/**
 * Wraps the MaterialsManager's resolver for one facade call and remembers what it used: the wrap a
 * write stored (for the SSE echo of PUT / CreateMultipartUpload) or the envelope a DEK was
 * recovered from (UploadPart / Complete, whose envelope travels in the upload token). It holds no
 * key: DEKs pass through to SealedObjects, which wipes them.
 */
export class CapturingResolver implements KeyResolver {
  wrap: WrapFields | undefined;
  envelope: Envelope | undefined;

  constructor(private readonly inner: KeyResolver) {}

  async generate(o: ObjectId, plaintextLength?: number): Promise<{ dek: Buffer; wrap: WrapFields }> {
    const g = await this.inner.generate(o, plaintextLength);
    this.wrap = g.wrap;
    return g;
  }

  async recover(o: ObjectId, env: Envelope): Promise<Buffer> {
    const dek = await this.inner.recover(o, env);
    this.envelope = env;
    return dek;
  }

  async charge(o: ObjectId, env: Envelope, plaintextBytes: number): Promise<void> {
    await this.inner.charge?.(o, env, plaintextBytes);
  }

  dispose(): void {
    this.inner.dispose?.();
  }
}

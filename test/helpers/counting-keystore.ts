import { join } from 'node:path';
import { FileKeystore } from '../../src/keystores/file-keystore.js';
import type { GeneratedDataKey, KeyDescription, Keystore, KeystoreCapabilities, KeystoreId, RewrappedKey } from '../../src/keystores/keystore.js';
import { tempDir } from './temp-dir.js';

const ARN_PREFIX = 'arn:aws:kms:us-east-1:000000000000:key/';

export interface KeystoreCalls {
  generateDataKey: number;
  decryptDataKey: number;
  describeKey: number;
}

/**
 * A real FileKeystore (real wraps) that counts the calls a cache should save, keeps every plaintext
 * data key it hands out (so a test can see whether its holder zeroed it), and can pose as another
 * keystore: `as: 'awskms'` names its keys like ARNs, to put two keystores with one key name side by side.
 */
export class CountingKeystore implements Keystore {
  readonly id: KeystoreId;
  readonly capabilities: KeystoreCapabilities;
  readonly calls: KeystoreCalls = { generateDataKey: 0, decryptDataKey: 0, describeKey: 0 };
  /** the plaintext buffers handed out, in order (generateDataKey and decryptDataKey) */
  readonly handedOut: Buffer[] = [];
  /** while set, describeKey fails with it (an outage) */
  describeFailure: Error | undefined;

  private constructor(
    private readonly inner: FileKeystore,
    as: KeystoreId,
  ) {
    this.id = as;
    this.capabilities = inner.capabilities;
  }

  static async create(keyNames: string[], as: KeystoreId = 'file'): Promise<CountingKeystore> {
    const inner = new FileKeystore({ path: join(tempDir('counting'), 'keys.json'), create: true });
    for (const n of keyNames) await inner.createKey(n);
    return new CountingKeystore(inner, as);
  }

  private idOf(keyId: string): string {
    return this.id === 'awskms' ? `${ARN_PREFIX}${keyId.slice('file:'.length)}` : keyId;
  }

  /** posing as AWS KMS, a key is named by its id or its ARN (what envelopes store), as AWS KMS accepts */
  private nameOf(keyName: string): string {
    return this.id === 'awskms' && keyName.startsWith(ARN_PREFIX) ? keyName.slice(ARN_PREFIX.length) : keyName;
  }

  async generateDataKey(keyName: string, context: string): Promise<GeneratedDataKey> {
    this.calls.generateDataKey++;
    const g = await this.inner.generateDataKey(this.nameOf(keyName), context);
    this.handedOut.push(g.plaintext);
    return { ...g, keyId: this.idOf(g.keyId) };
  }

  async decryptDataKey(keyName: string, wrapped: Buffer, context: string): Promise<Buffer> {
    this.calls.decryptDataKey++;
    const k = await this.inner.decryptDataKey(this.nameOf(keyName), wrapped, context);
    this.handedOut.push(k);
    return k;
  }

  async encryptDataKey(keyName: string, plaintext: Buffer, context: string): Promise<RewrappedKey> {
    const r = await this.inner.encryptDataKey(this.nameOf(keyName), plaintext, context);
    return { ...r, keyId: this.idOf(r.keyId) };
  }

  async rewrapDataKey(keyName: string, wrapped: Buffer, context: string, toKeyName?: string): Promise<RewrappedKey> {
    const r = await this.inner.rewrapDataKey(this.nameOf(keyName), wrapped, context, toKeyName === undefined ? undefined : this.nameOf(toKeyName));
    return { ...r, keyId: this.idOf(r.keyId) };
  }

  async createKey(keyName: string): Promise<KeyDescription> {
    const d = await this.inner.createKey(keyName);
    return { ...d, keyId: this.idOf(d.keyId) };
  }

  async rotateKey(keyName: string): Promise<KeyDescription> {
    const d = await this.inner.rotateKey(this.nameOf(keyName));
    return { ...d, keyId: this.idOf(d.keyId) };
  }

  async describeKey(keyName: string): Promise<KeyDescription> {
    this.calls.describeKey++;
    if (this.describeFailure) throw this.describeFailure;
    const d = await this.inner.describeKey(this.nameOf(keyName));
    return { ...d, keyId: this.idOf(d.keyId) };
  }

  deriveSecret(keyName: string, label: string): Promise<Buffer> {
    return this.inner.deriveSecret(this.nameOf(keyName), label);
  }
}

import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  GenerateDataKeyCommand,
  GenerateMacCommand,
  ReEncryptCommand,
  RotateKeyOnDemandCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';
import type { GeneratedDataKey, KeyDescription, Keystore, KeystoreCapabilities, RewrappedKey } from './keystore.js';
import { KeystoreError } from './keystore-error.js';
import { withRetries, type RetryOptions } from './retry.js';

export interface AwsKmsKeystoreOptions {
  /**
   * AWS KMS rotates on demand (RotateKeyOnDemand); local-kms, the test server, only rotates on its
   * yearly schedule and does not implement it. With false, rotateKey refuses clearly.
   */
  rotateOnDemand?: boolean;
  retry?: RetryOptions;
}

/** AWS error names → our codes. Anything unrecognised that is not a client error is an outage. */
function mapError(err: unknown, what: string): KeystoreError {
  if (err instanceof KeystoreError) return err;
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number }; code?: string };
  const name = e.name ?? '';
  switch (name) {
    case 'NotFoundException':
      return new KeystoreError('KMS.NotFoundException', `${what}: key not found`);
    case 'DisabledException':
    case 'KMSInvalidStateException':
      return new KeystoreError('KMS.DisabledException', `${what}: key is disabled or not usable`);
    case 'InvalidCiphertextException':
    case 'IncorrectKeyException':
      return new KeystoreError('KMS.InvalidCiphertextException', `${what}: ciphertext does not decrypt under this key and context`);
    case 'AccessDeniedException':
      return new KeystoreError('AccessDenied', `${what}: access denied by the KMS`);
    case 'ValidationException':
    case 'InvalidKeyUsageException':
      return new KeystoreError('KeyStoreMisconfigured', `${what}: the KMS refused the request as invalid for this key`);
    case 'UnsupportedOperationException':
      return new KeystoreError('KeyStoreMisconfigured', `${what}: operation not supported by this KMS`);
  }
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    return new KeystoreError('KeyStoreMisconfigured', `${what}: KMS refused the request (${name || status})`);
  }
  return new KeystoreError('KeyStoreUnavailable', `${what}: KMS unavailable (${name || e.code || 'network error'})`);
}

/**
 * AWS KMS (or any KMS-API server, e.g. local-kms) through an already-built @aws-sdk/client-kms client.
 * The binding context is passed as EncryptionContext, so KMS itself enforces it; KMS returns and
 * stores the resolved key ARN.
 */
export class AwsKmsKeystore implements Keystore {
  readonly id = 'awskms' as const;
  readonly capabilities: KeystoreCapabilities;
  private readonly rotateOnDemand: boolean;

  constructor(
    private readonly client: KMSClient,
    private readonly opts: AwsKmsKeystoreOptions = {},
  ) {
    this.rotateOnDemand = opts.rotateOnDemand ?? true;
    this.capabilities = { canDisable: true, exposesKeyVersion: false, nativeRewrap: true, rotatesOnDemand: this.rotateOnDemand };
  }

  private call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return withRetries(fn, (err) => mapError(err, what), this.opts.retry);
  }

  private static ctx(context: string): Record<string, string> {
    return JSON.parse(context) as Record<string, string>;
  }

  async generateDataKey(keyName: string, context: string): Promise<GeneratedDataKey> {
    const r = await this.call('GenerateDataKey', () =>
      this.client.send(new GenerateDataKeyCommand({ KeyId: keyName, KeySpec: 'AES_256', EncryptionContext: AwsKmsKeystore.ctx(context) })),
    );
    if (!r.Plaintext || !r.CiphertextBlob || !r.KeyId) throw new KeystoreError('KeyStoreUnavailable', 'GenerateDataKey: incomplete response');
    return { plaintext: Buffer.from(r.Plaintext), wrapped: Buffer.from(r.CiphertextBlob), keyId: r.KeyId };
  }

  async decryptDataKey(keyName: string, wrapped: Buffer, context: string): Promise<Buffer> {
    const r = await this.call('Decrypt', () =>
      this.client.send(new DecryptCommand({ KeyId: keyName, CiphertextBlob: wrapped, EncryptionContext: AwsKmsKeystore.ctx(context) })),
    );
    if (!r.Plaintext) throw new KeystoreError('KeyStoreUnavailable', 'Decrypt: incomplete response');
    return Buffer.from(r.Plaintext);
  }

  async rewrapDataKey(keyName: string, wrapped: Buffer, context: string, toKeyName?: string): Promise<RewrappedKey> {
    const ctx = AwsKmsKeystore.ctx(context);
    const r = await this.call('ReEncrypt', () =>
      this.client.send(
        new ReEncryptCommand({
          CiphertextBlob: wrapped,
          SourceKeyId: keyName,
          DestinationKeyId: toKeyName ?? keyName,
          SourceEncryptionContext: ctx,
          DestinationEncryptionContext: ctx,
        }),
      ),
    );
    if (!r.CiphertextBlob || !r.KeyId) throw new KeystoreError('KeyStoreUnavailable', 'ReEncrypt: incomplete response');
    return { wrapped: Buffer.from(r.CiphertextBlob), keyId: r.KeyId };
  }

  private async create(keyName: string, usage: 'ENCRYPT_DECRYPT' | 'GENERATE_VERIFY_MAC', spec: 'SYMMETRIC_DEFAULT' | 'HMAC_256'): Promise<KeyDescription> {
    const r = await this.call('CreateKey', () => this.client.send(new CreateKeyCommand({ KeyUsage: usage, KeySpec: spec, Description: `s3seal ${keyName}` })));
    const arn = r.KeyMetadata?.Arn;
    if (!arn) throw new KeystoreError('KeyStoreUnavailable', 'CreateKey: incomplete response');
    if (keyName.startsWith('alias/')) await this.call('CreateAlias', () => this.client.send(new CreateAliasCommand({ AliasName: keyName, TargetKeyId: arn })));
    return { keyId: arn, enabled: true };
  }

  /** a symmetric encryption key; an `alias/…` name gets that alias */
  createKey(keyName: string): Promise<KeyDescription> {
    return this.create(keyName, 'ENCRYPT_DECRYPT', 'SYMMETRIC_DEFAULT');
  }

  /** an HMAC_256 key (for deriveSecret): AWS KMS cannot derive secrets from symmetric encryption keys */
  createSecretKey(keyName: string): Promise<KeyDescription> {
    return this.create(keyName, 'GENERATE_VERIFY_MAC', 'HMAC_256');
  }

  async deriveSecret(keyName: string, label: string): Promise<Buffer> {
    const r = await this.call('GenerateMac', () =>
      this.client.send(new GenerateMacCommand({ KeyId: keyName, MacAlgorithm: 'HMAC_SHA_256', Message: Buffer.from(`s3seal derived secret\0${label}`) })),
    );
    if (!r.Mac || r.Mac.length !== 32) throw new KeystoreError('KeyStoreUnavailable', 'GenerateMac: incomplete response');
    return Buffer.from(r.Mac);
  }

  async rotateKey(keyName: string): Promise<KeyDescription> {
    if (!this.rotateOnDemand) throw new KeystoreError('KeyStoreMisconfigured', 'rotateKey: this KMS does not rotate on demand (rotateOnDemand: false)');
    await this.call('RotateKeyOnDemand', () => this.client.send(new RotateKeyOnDemandCommand({ KeyId: keyName })));
    return this.describeKey(keyName);
  }

  async describeKey(keyName: string): Promise<KeyDescription> {
    const r = await this.call('DescribeKey', () => this.client.send(new DescribeKeyCommand({ KeyId: keyName })));
    const m = r.KeyMetadata;
    if (!m?.Arn) throw new KeystoreError('KeyStoreUnavailable', 'DescribeKey: incomplete response');
    return { keyId: m.Arn, enabled: m.KeyState === 'Enabled' };
  }

  async setEnabled(keyName: string, enabled: boolean): Promise<KeyDescription> {
    await this.call(enabled ? 'EnableKey' : 'DisableKey', () => this.client.send(enabled ? new EnableKeyCommand({ KeyId: keyName }) : new DisableKeyCommand({ KeyId: keyName })));
    return this.describeKey(keyName);
  }
}

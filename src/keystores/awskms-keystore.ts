import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GenerateMacCommand,
  ListKeyRotationsCommand,
  ReEncryptCommand,
  RotateKeyOnDemandCommand,
  ScheduleKeyDeletionCommand,
  type KMSClient,
} from '@aws-sdk/client-kms';
import { setTimeout as sleep } from 'node:timers/promises';
import type { GeneratedDataKey, KeyDescription, Keystore, KeystoreCapabilities, RewrappedKey } from './keystore.js';
import { KeystoreError } from './keystore-error.js';
import { singleAttempt, unwrapNotRetried } from './awskms-single-attempt.js';

export interface AwsKmsKeystoreOptions {
  /**
   * AWS KMS rotates on demand (RotateKeyOnDemand); local-kms, the test server, only rotates on its
   * yearly schedule and does not implement it. With false, rotateKey refuses clearly.
   */
  rotateOnDemand?: boolean;
  /**
   * Tries of a non-idempotent call (CreateAlias, RotateKeyOnDemand) after an outage, each one only
   * after re-reading state shows the earlier try did not apply (default 3). Idempotent calls are
   * retried by the client's own SDK retry strategy.
   */
  reconcileAttempts?: number;
}

/** error names the SDK's standard strategy treats as throttling: rate limits, an outage, not a refusal */
const THROTTLING = new Set(['ThrottlingException', 'Throttling', 'ThrottledException', 'RequestLimitExceeded', 'RequestThrottled', 'RequestThrottledException', 'TooManyRequestsException', 'SlowDown']);

/** AWS error names → our codes. Anything unrecognised that is not a client error is an outage. */
function mapError(raw: unknown, what: string): KeystoreError {
  if (raw instanceof KeystoreError) return raw;
  const err = unwrapNotRetried(raw);
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number }; code?: string; $retryable?: { throttling?: boolean } };
  const name = e.name ?? '';
  const status = e.$metadata?.httpStatusCode;
  if (THROTTLING.has(name) || status === 429 || e.$retryable?.throttling === true) {
    return new KeystoreError('KeyStoreUnavailable', `${what}: KMS is throttling requests (${name || status}); retry later`);
  }
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
    case 'AlreadyExistsException':
      return new KeystoreError('KMS.AlreadyExistsException', `${what}: already exists`);
    case 'LimitExceededException':
      return new KeystoreError('KeyStoreMisconfigured', `${what}: a KMS quota was exceeded (keys, aliases, grants or on-demand rotations per key)`);
    case 'ConflictException':
      // RotateKeyOnDemand while a rotation is still in progress
      return new KeystoreError('KeyStoreUnavailable', `${what}: a conflicting operation is in progress; retry later`);
    case 'KMSInternalException':
    case 'DependencyTimeoutException':
    case 'KeyUnavailableException':
      return new KeystoreError('KeyStoreUnavailable', `${what}: KMS unavailable (${name})`);
  }
  if (status !== undefined && status >= 400 && status < 500) {
    return new KeystoreError('KeyStoreMisconfigured', `${what}: KMS refused the request (${name || status})`);
  }
  return new KeystoreError('KeyStoreUnavailable', `${what}: KMS unavailable (${name || e.code || 'network error'})`);
}

/**
 * AWS KMS (or any KMS-API server, e.g. local-kms) through an already-built @aws-sdk/client-kms client.
 * The binding context is passed as EncryptionContext, so KMS itself enforces it; KMS returns and
 * stores the resolved key ARN. Retries are the client's own standard SDK strategy (DESIGN.md
 * "Retries": build the client with the default retry settings); the non-idempotent calls opt out of
 * it per command and re-read state instead.
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

  /** one SDK call; the client's own retry strategy handles outages and throttling */
  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw mapError(err, what);
    }
  }

  /** copy an SDK plaintext into a buffer of our own (never pooled) and zero the SDK's */
  private static takePlaintext(pt: Uint8Array): Buffer {
    const out = Buffer.alloc(pt.length);
    out.set(pt);
    pt.fill(0);
    return out;
  }

  private static ctx(context: string): Record<string, string> {
    return JSON.parse(context) as Record<string, string>;
  }

  async generateDataKey(keyName: string, context: string): Promise<GeneratedDataKey> {
    const r = await this.call('GenerateDataKey', () =>
      this.client.send(new GenerateDataKeyCommand({ KeyId: keyName, KeySpec: 'AES_256', EncryptionContext: AwsKmsKeystore.ctx(context) })),
    );
    if (!r.Plaintext || !r.CiphertextBlob || !r.KeyId) {
      r.Plaintext?.fill(0);
      throw new KeystoreError('KeyStoreUnavailable', 'GenerateDataKey: incomplete response');
    }
    return { plaintext: AwsKmsKeystore.takePlaintext(r.Plaintext), wrapped: Buffer.from(r.CiphertextBlob), keyId: r.KeyId };
  }

  async decryptDataKey(keyName: string, wrapped: Buffer, context: string): Promise<Buffer> {
    const r = await this.call('Decrypt', () =>
      this.client.send(new DecryptCommand({ KeyId: keyName, CiphertextBlob: wrapped, EncryptionContext: AwsKmsKeystore.ctx(context) })),
    );
    if (!r.Plaintext) throw new KeystoreError('KeyStoreUnavailable', 'Decrypt: incomplete response');
    return AwsKmsKeystore.takePlaintext(r.Plaintext);
  }

  async encryptDataKey(keyName: string, plaintext: Buffer, context: string): Promise<RewrappedKey> {
    const r = await this.call('Encrypt', () =>
      this.client.send(new EncryptCommand({ KeyId: keyName, Plaintext: plaintext, EncryptionContext: AwsKmsKeystore.ctx(context) })),
    );
    if (!r.CiphertextBlob || !r.KeyId) throw new KeystoreError('KeyStoreUnavailable', 'Encrypt: incomplete response');
    return { wrapped: Buffer.from(r.CiphertextBlob), keyId: r.KeyId };
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

  /**
   * CreateKey and CreateAlias are not idempotent, so neither is repeated blindly: an alias that
   * already exists is reported before any key is made; CreateKey is sent once (a lost answer may
   * have made a key: retrying would make another, an orphan — the outage is reported instead, and
   * the key's description names the alias it was for); after a failed CreateAlias the alias is read
   * back, and a key that ends up without its alias is scheduled for deletion, not left behind.
   */
  private async create(keyName: string, usage: 'ENCRYPT_DECRYPT' | 'GENERATE_VERIFY_MAC', spec: 'SYMMETRIC_DEFAULT' | 'HMAC_256'): Promise<KeyDescription> {
    const alias = keyName.startsWith('alias/') ? keyName : undefined;
    if (alias !== undefined) {
      const existing = await this.aliasTarget(alias);
      if (existing !== undefined) throw new KeystoreError('KMS.AlreadyExistsException', `CreateKey: ${alias} already exists (it names key ${existing}); not creating another key`);
    }
    const description = `s3seal ${keyName}`;
    const r = await this.call('CreateKey', () => this.client.send(singleAttempt(new CreateKeyCommand({ KeyUsage: usage, KeySpec: spec, Description: description })))).catch((err: KeystoreError) => {
      if (!err.retryable) throw err;
      throw new KeystoreError('KeyStoreUnavailable', `${err.message}; not retried (a key may have been made anyway, described "${description}")`);
    });
    const arn = r.KeyMetadata?.Arn;
    if (!arn) throw new KeystoreError('KeyStoreUnavailable', 'CreateKey: incomplete response');
    if (alias !== undefined) {
      try {
        await this.createAlias(alias, arn);
      } catch (err) {
        const e = err as KeystoreError;
        // outcome unknown (the alias may point at it): never delete a key that may be in use
        if (e.retryable) throw new KeystoreError('KeyStoreUnavailable', `${e.message}; key ${arn} was created but ${alias} is not confirmed on it`);
        // the alias is someone else's, or may not be made: the new key must not linger unnamed
        await this.client.send(new ScheduleKeyDeletionCommand({ KeyId: arn, PendingWindowInDays: 7 })).catch(() => undefined);
        throw e;
      }
    }
    return { keyId: arn, enabled: true };
  }

  /** the key ARN (or id) an alias names, or undefined when there is no such alias */
  private async aliasTarget(alias: string): Promise<string | undefined> {
    try {
      const r = await this.client.send(new DescribeKeyCommand({ KeyId: alias }));
      return r.KeyMetadata?.Arn ?? r.KeyMetadata?.KeyId;
    } catch (err) {
      if ((err as { name?: string }).name === 'NotFoundException') return undefined;
      throw mapError(err, 'DescribeKey');
    }
  }

  private async createAlias(alias: string, arn: string): Promise<void> {
    const attempts = this.opts.reconcileAttempts ?? 3;
    for (let i = 1; ; i++) {
      try {
        await this.client.send(singleAttempt(new CreateAliasCommand({ AliasName: alias, TargetKeyId: arn })));
        return;
      } catch (raw) {
        const err = mapError(raw, 'CreateAlias');
        if (!err.retryable && err.code !== 'KMS.AlreadyExistsException') throw err;
        // the answer may have been lost after KMS made the alias: read it back before anything else
        const target = await this.aliasTarget(alias);
        if (target === arn || (target !== undefined && arn.endsWith(`/${target}`))) return;
        if (target !== undefined) throw new KeystoreError('KMS.AlreadyExistsException', `CreateAlias: ${alias} already exists (it names key ${target}, created meanwhile by someone else)`);
        if (i >= attempts) throw err;
        await sleep(Math.random() * 100 * 2 ** i);
      }
    }
  }

  /** completed rotations of a key (ListKeyRotations, paginated) */
  private async rotationCount(keyName: string): Promise<number> {
    let n = 0;
    let marker: string | undefined;
    do {
      const r = await this.call('ListKeyRotations', () => this.client.send(new ListKeyRotationsCommand({ KeyId: keyName, Limit: 1000, ...(marker ? { Marker: marker } : {}) })));
      n += r.Rotations?.length ?? 0;
      marker = r.Truncated ? r.NextMarker : undefined;
    } while (marker);
    return n;
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
    if (!r.Mac || r.Mac.length !== 32) {
      r.Mac?.fill(0);
      throw new KeystoreError('KeyStoreUnavailable', 'GenerateMac: incomplete response');
    }
    // the MAC is a secret here (the upload-token root): the SDK's copy is zeroed like a data key
    return AwsKmsKeystore.takePlaintext(r.Mac);
  }

  /**
   * RotateKeyOnDemand is sent with the SDK's retries off: AWS allows ten on-demand rotations per key,
   * and a rotation whose answer was lost must not be repeated. After an outage the rotation list is
   * read again (kms:ListKeyRotations): a new entry means it happened; a ConflictException on a second
   * try means the first one is still in progress (it happened too); only a list that did not move is
   * rotated again.
   */
  async rotateKey(keyName: string): Promise<KeyDescription> {
    if (!this.rotateOnDemand) throw new KeystoreError('KeyStoreMisconfigured', 'rotateKey: this KMS does not rotate on demand (rotateOnDemand: false)');
    // without kms:ListKeyRotations the outcome of a lost answer cannot be checked: one try only
    const before = await this.rotationCount(keyName).catch((err: KeystoreError) => {
      if (err.code === 'AccessDenied') return undefined;
      throw err;
    });
    const attempts = before === undefined ? 1 : (this.opts.reconcileAttempts ?? 3);
    for (let i = 1; ; i++) {
      try {
        await this.client.send(singleAttempt(new RotateKeyOnDemandCommand({ KeyId: keyName })));
        break;
      } catch (raw) {
        const sdkName = (unwrapNotRetried(raw) as { name?: string }).name;
        if (i > 1 && sdkName === 'ConflictException') break; // our earlier try is still rotating
        const err = mapError(raw, 'RotateKeyOnDemand');
        if (!err.retryable || sdkName === 'ConflictException') throw err;
        if (before === undefined) throw new KeystoreError('KeyStoreUnavailable', `${err.message}; not retried: the key may have rotated (no kms:ListKeyRotations to check)`);
        if ((await this.rotationCount(keyName)) > before) break; // the lost answer had rotated it
        if (i >= attempts) throw err;
        await sleep(Math.random() * 100 * 2 ** i);
      }
    }
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

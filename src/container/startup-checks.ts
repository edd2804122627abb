import type { Container } from 'inversify';
import { KeystoreError } from '../keystores/keystore-error.js';
import type { KeystoreId } from '../keystores/keystore.js';
import { parseKeyRef } from '../keystores/key-ref.js';
import { KEYSTORE_TOKENS } from './build-keystores.js';
import type { S3SealConfig } from './config.js';
import { configLabel, type ConfigSource } from './config-source.js';
import { StartupCheckError } from './startup-check-error.js';
import { getService } from './tokens.js';

/** what a probe asks for when the configuration names no key of a keystore: any answer proves it reachable */
const PROBE_KEY: Record<KeystoreId, string> = { file: 's3seal-startup-probe', vault: 'transit/s3seal-startup-probe', awskms: 'alias/s3seal-startup-probe' };

/** the keyRefs the configuration names, with the field naming each */
function configuredKeys(config: S3SealConfig): { ref: string; field: string }[] {
  return [
    { ref: config.sseS3Key, field: 'sseS3Key' },
    ...(config.defaultKmsKey !== undefined ? [{ ref: config.defaultKmsKey, field: 'defaultKmsKey' }] : []),
    ...(config.uploadTokenKey !== undefined ? [{ ref: config.uploadTokenKey, field: 'uploadTokenKey' }] : []),
    ...config.readKeys.map((ref, i) => ({ ref, field: `readKeys.${i}` })),
  ];
}

/** where a keystore is, for the message: an address, never a credential */
function addressOf(config: S3SealConfig, id: KeystoreId): string {
  const k = config.keystores;
  if (id === 'file') return k.file!.path;
  if (id === 'vault') return k.vault!.address;
  return k.awskms!.endpoint ?? `AWS KMS ${k.awskms!.region}`;
}

function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new KeystoreError('KeyStoreUnavailable', `no answer within ${ms} ms`)), ms);
    timer.unref();
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/**
 * `startupChecks.keystores` (what `s3seal doctor` would check first): every key the configuration
 * names must be in a configured keystore and be described by it; a configured keystore none of
 * them names must at least answer (a "no such key" is an answer). The first failure is one
 * StartupCheckError naming the keystore and its address (and the field, for a named key).
 */
export async function checkKeystores(c: Container, config: S3SealConfig, source: ConfigSource | undefined): Promise<void> {
  const label = configLabel(source, 's3seal startup check');
  const byKeystore = new Map<KeystoreId, { name: string; field: string }[]>();
  for (const { ref, field } of configuredKeys(config)) {
    const { keystore, name } = parseKeyRef(ref, config.defaultKmsKeystore);
    if (config.keystores[keystore] === undefined) throw new StartupCheckError(`${label}: ${field} names ${ref}, in keystore ${keystore}, which is not configured (keystores.${keystore})`);
    byKeystore.set(keystore, [...(byKeystore.get(keystore) ?? []), { name, field }]);
  }
  for (const id of Object.keys(KEYSTORE_TOKENS) as KeystoreId[]) {
    if (config.keystores[id] === undefined) continue;
    const keystore = getService(c, KEYSTORE_TOKENS[id]);
    const where = `keystore ${id} at ${addressOf(config, id)}`;
    const named = byKeystore.get(id);
    for (const { name, field } of named ?? [{ name: PROBE_KEY[id], field: '' }]) {
      try {
        await within(keystore.describeKey(name), config.startupChecks.timeoutMs);
      } catch (err) {
        const code = err instanceof KeystoreError ? err.code : undefined;
        if (named === undefined && (code === 'KMS.NotFoundException' || code === 'AccessDenied')) continue; // it answered
        if (code === 'KeyStoreUnavailable') throw new StartupCheckError(`${label}: ${where} is unreachable: ${(err as Error).message}`, { cause: err, retryable: true });
        throw new StartupCheckError(`${label}: ${where}: ${field}: ${(err as Error).message}`, { cause: err });
      }
    }
  }
}

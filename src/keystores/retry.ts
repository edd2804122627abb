import { setTimeout as sleep } from 'node:timers/promises';
import type { KeystoreError } from './keystore-error.js';

export interface RetryOptions {
  /** attempts in total, including the first (default 3) */
  attempts?: number;
  /** first backoff in ms (default 50); doubles each attempt, with full jitter */
  baseMs?: number;
  /** cap on one backoff in ms (default 1000) */
  maxMs?: number;
}

/**
 * Bounded retries with exponential backoff and full jitter, for the Vault client (DESIGN.md
 * "Retries": AWS SDK clients use the SDK's own standard strategy), for keystore outages only
 * (`retryable` errors): a refusal (not found, disabled, denied, bad ciphertext) is final at once.
 * After the last attempt the outage surfaces as KeyStoreUnavailable and the operation fails closed.
 */
export async function withRetries<T>(fn: () => Promise<T>, classify: (err: unknown) => KeystoreError, opts: RetryOptions = {}): Promise<T> {
  const attempts = opts.attempts ?? 3;
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      const e = classify(err);
      if (!e.retryable || i >= attempts) throw e;
      await backoff(i, opts);
    }
  }
}

/** the pause after failed attempt `attempt` (1-based): full jitter under a doubling, capped bound */
export function backoff(attempt: number, opts: RetryOptions = {}): Promise<void> {
  const base = opts.baseMs ?? 50;
  const max = opts.maxMs ?? 1000;
  return sleep(Math.random() * Math.min(max, base * 2 ** (attempt - 1)));
}

/**
 * The inter-process lock every key-file change runs under (DESIGN.md "Keystores": a read-modify-write
 * under an inter-process lock).
 *
 * Why proper-lockfile rather than hand-made O_EXCL lock files: a lock left by a crashed or killed
 * process must not block the key file forever, and deciding that a lock is stale is the hard part.
 * proper-lockfile refreshes the lock's mtime while it is held, so "stale" means "not refreshed for
 * `stale` ms" rather than "old" — a slow but live holder is never robbed, a dead one is taken over. It
 * also brings bounded retries with backoff, releases held locks on exit, reports a compromised lock
 * instead of ignoring it, and is widely used and maintained; an O_EXCL file would need all of that
 * written and tested here. The lock is a directory `<key file>.lock` beside the key file (mkdir is
 * atomic on local and network file systems).
 */
import lockfile from 'proper-lockfile';
import { KeystoreError } from './keystore-error.js';

export interface KeyFileLockOptions {
  /** how long to wait for a lock another process holds before giving up (KeyStoreUnavailable) */
  waitMs: number;
  /** a lock not refreshed for this long belongs to a dead process and is taken over (≥ 5000) */
  staleMs: number;
}

/**
 * A waiter outlasts the stale timeout, so a lock left by a killed process (refreshed at most
 * staleMs/2 before it died) is always taken over within one wait instead of failing the change.
 */
export const DEFAULT_LOCK_OPTIONS: KeyFileLockOptions = { waitMs: 15_000, staleMs: 10_000 };

const MIN_TIMEOUT_MS = 5;
const MAX_TIMEOUT_MS = 200;
const FACTOR = 1.5;

/** enough retries that the (un-randomised) backoff adds up to at least waitMs */
function retriesFor(waitMs: number): number {
  let total = 0;
  let n = 0;
  for (let t = MIN_TIMEOUT_MS; total < waitMs; t = Math.min(t * FACTOR, MAX_TIMEOUT_MS)) {
    total += t;
    n++;
  }
  return n;
}

/**
 * Runs `fn` while holding the lock on `path` (which need not exist yet). `fn` gets a check it calls
 * right before publishing its write: if the lock was compromised meanwhile (its refresh failed or
 * another process took it over as stale), the change is abandoned rather than written.
 * A lock that cannot be had is KeyStoreUnavailable — retryable, never a silent skip.
 */
export async function withKeyFileLock<T>(path: string, opts: KeyFileLockOptions, fn: (stillHeld: () => void) => T): Promise<T> {
  let compromised: Error | undefined;
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(path, {
      realpath: false,
      stale: opts.staleMs,
      retries: { retries: retriesFor(opts.waitMs), factor: FACTOR, minTimeout: MIN_TIMEOUT_MS, maxTimeout: MAX_TIMEOUT_MS, randomize: true },
      // the default throws from a timer and kills the process; record it and refuse to write instead
      onCompromised: (err) => {
        compromised = err;
      },
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    const why = code === 'ELOCKED' ? `another process holds its lock (waited ${opts.waitMs} ms)` : `cannot take its lock (${code})`;
    throw new KeystoreError('KeyStoreUnavailable', `key file ${path}: ${why}`);
  }
  // proper-lockfile reports a lost lock from a timer, so while `fn` runs synchronously (as every
  // change does today) nothing new can be reported: this check only catches a loss reported before
  // `fn` started, and keeps the write refused if a change ever awaits between read and write
  const stillHeld = (): void => {
    if (compromised) throw new KeystoreError('KeyStoreUnavailable', `key file ${path}: its lock was lost before the change was written; nothing was changed`);
  };
  try {
    return fn(stillHeld);
  } finally {
    // a compromised lock is already gone (release then rejects); nothing else can fail usefully here
    await release().catch(() => undefined);
  }
}

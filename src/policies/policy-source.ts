import { watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import type { KeystoreId } from '../keystores/keystore.js';
import { sameAccessKeys } from './access-key-lookup.js';
import { parsePolicyDocument, readPolicyFile, readPolicyFileSync } from './load-policy-document.js';
import type { PolicyDocument } from './policy-document.js';
import { PolicyDocumentError } from './policy-document-error.js';

/** what PolicySource reports to (a pino logger fits) */
export interface PolicySourceLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** file events come in bursts (an editor's write, truncate, rename): one reload per burst */
const DEBOUNCE_MS = 100;

/**
 * The policy document in force, reloaded on change (issue 8: "SIGHUP or file watch, atomically: a
 * bad new document keeps the old one and logs why"). A reload parses the whole new file before it
 * replaces the document in one assignment, so a request sees the old document or the new one, never
 * a mix. The watcher watches the file's directory, not the file: an atomic replace (write a temp
 * file, rename it over) swaps the inode, which a watch on the file itself stops seeing. SIGHUP is
 * the way to reload where no watch can see the change (the path is a symlink into another directory).
 */
export class PolicySource {
  /** called after a successful reload that changed the document (a hook for embedders; PolicyDecisions needs none: it reads `current` on every decision and rebuilds its grants when the document object changes) */
  onChange?: (doc: PolicyDocument) => void;

  private doc: PolicyDocument | undefined;
  private text: string | undefined;
  /** reloads run one after another, so the last file read is the one that stays */
  private queue: Promise<unknown> = Promise.resolve();
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly onSighup = () => {
    void this.reload();
  };

  constructor(
    private readonly path: string,
    private readonly defaultKmsKeystore: KeystoreId,
    private readonly log: PolicySourceLog,
  ) {}

  /** load the document once: a bad document throws PolicyDocumentError (the process must not start on it) */
  static async open(path: string, defaultKmsKeystore: KeystoreId, log: PolicySourceLog): Promise<PolicySource> {
    const s = new PolicySource(path, defaultKmsKeystore, log);
    const { doc, text } = await s.read();
    s.doc = doc;
    s.text = text;
    log.info({ path, statements: doc.statements.length, keyGrants: doc.keyGrants.length, floors: doc.floors.length }, 'policy document loaded');
    return s;
  }

  /**
   * `open`, synchronously: what the container uses, so a bad document fails `createContainer` itself
   * (a container is built synchronously) rather than the first request
   */
  static openSync(path: string, defaultKmsKeystore: KeystoreId, log: PolicySourceLog): PolicySource {
    const s = new PolicySource(path, defaultKmsKeystore, log);
    s.text = readPolicyFileSync(path);
    s.doc = parsePolicyDocument(s.text, path, defaultKmsKeystore);
    log.info({ path, statements: s.doc.statements.length, keyGrants: s.doc.keyGrants.length, floors: s.doc.floors.length }, 'policy document loaded');
    return s;
  }

  get current(): PolicyDocument {
    if (this.doc === undefined) throw new PolicyDocumentError(this.path, undefined, '', 'the policy document has not been loaded (use PolicySource.open)');
    return this.doc;
  }

  /**
   * Re-read the file. True when the document in force is the file's (changed or not); false when the
   * new text is bad — the old document stays and the error (with line and field) is logged.
   */
  reload(): Promise<boolean> {
    const run = this.queue.then(() => this.reloadNow());
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** reload on SIGHUP and whenever the file changes */
  watch(): void {
    if (this.watcher !== undefined) return;
    process.on('SIGHUP', this.onSighup);
    // any entry of the directory, not only the file's name: a Kubernetes ConfigMap mount updates
    // by re-pointing a `..data` symlink, so the event names that entry; an unchanged text is a no-op
    this.watcher = watch(dirname(this.path), { persistent: false }, () => {
      if (this.timer !== undefined) clearTimeout(this.timer);
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.reload();
      }, DEBOUNCE_MS);
      this.timer.unref();
    });
    this.watcher.on('error', (err) => this.log.error({ path: this.path, err: err.message }, 'policy document watch failed'));
  }

  close(): void {
    process.off('SIGHUP', this.onSighup);
    this.watcher?.close();
    this.watcher = undefined;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async reloadNow(): Promise<boolean> {
    let next: { doc: PolicyDocument; text: string };
    try {
      next = await this.read();
    } catch (err) {
      const e = err instanceof PolicyDocumentError ? err : undefined;
      this.log.error(
        { path: this.path, err: (err as Error).message, ...(e?.line !== undefined ? { line: e.line } : {}), ...(e !== undefined ? { field: e.field } : {}) },
        'policy document reload failed: the previous document stays in force',
      );
      return false;
    }
    // the same text may name secret files whose content changed (a rotated secret): that is a change too
    if (next.text === this.text && this.doc !== undefined && sameAccessKeys(this.doc, next.doc)) return true;
    this.doc = next.doc;
    this.text = next.text;
    this.log.info({ path: this.path, statements: next.doc.statements.length, keyGrants: next.doc.keyGrants.length, floors: next.doc.floors.length }, 'policy document reloaded');
    try {
      this.onChange?.(next.doc);
    } catch (err) {
      // the new document is in force either way; a failing hook must not become an unhandled rejection
      this.log.error({ path: this.path, err: (err as Error).message }, 'policy document onChange hook failed');
    }
    return true;
  }

  private async read(): Promise<{ doc: PolicyDocument; text: string }> {
    const text = await readPolicyFile(this.path);
    return { doc: parsePolicyDocument(text, this.path, this.defaultKmsKeystore), text };
  }
}

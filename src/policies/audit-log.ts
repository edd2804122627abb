import pino, { type Logger } from 'pino';

/** One decision of the policy layer, as DESIGN.md "Audit event" lists it — never key material. */
export interface AuditEvent {
  principal: string;
  /** the S3 action (PutObject, GetObject, CopyObject…) or, for a key use, the operation it serves */
  action: string;
  bucket: string;
  key: string;
  /** a key use: encrypt, decrypt, rewrap; absent for an action decision */
  use?: 'encrypt' | 'decrypt' | 'rewrap';
  /** the key: its resolved id (or the keyRef asked for, when it did not resolve); SSE-C: absent */
  keyRef?: string;
  mode?: 'SSE-S3' | 'SSE-KMS' | 'SSE-C';
  allowed: boolean;
  /** why, in a few words (which statement, grant, floor) */
  reason: string;
}

/** where audit lines go: standard error, standard output, a file (appended), or nowhere */
export type AuditDestination = 'stderr' | 'stdout' | 'off' | { file: string };

/**
 * The audit trail (issue 8 "Audit events"): one structured pino line per key-use decision and per
 * denied action, on its own logger (`"log":"s3seal.audit"`), so operators route it apart from the
 * service's other logs. Events carry names and ids only: the types above have no field a key could
 * travel in, and nothing else is logged.
 */
export class AuditLog {
  private readonly logger: Logger | undefined;
  /** a file destination this log opened (and closes) */
  private readonly file: ReturnType<typeof pino.destination> | undefined;

  constructor(destination: AuditDestination | Logger) {
    if (destination === 'off') this.logger = undefined;
    else if (typeof destination === 'object' && 'info' in destination) this.logger = destination;
    else {
      const fd = destination === 'stderr' ? 2 : destination === 'stdout' ? 1 : undefined;
      // sync: an audit line is written before the decision it records takes effect, so a crash never
      // loses the record of something that happened
      const dest = fd !== undefined ? pino.destination({ fd, sync: true }) : pino.destination({ dest: (destination as { file: string }).file, sync: true, mkdir: true, append: true });
      if (fd === undefined) this.file = dest;
      this.logger = pino({ base: { log: 's3seal.audit' }, timestamp: pino.stdTimeFunctions.isoTime }, dest);
    }
  }

  record(e: AuditEvent): void {
    if (this.logger === undefined) return;
    if (e.allowed) this.logger.info(e, 'allow');
    else this.logger.warn(e, 'deny');
  }

  /** whether events are written anywhere (off: record() does nothing, so callers may skip building them) */
  get enabled(): boolean {
    return this.logger !== undefined;
  }

  /** close the file this log opened (standard streams and a caller's logger stay open) */
  close(): void {
    this.file?.end();
  }
}

import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** the bucket-key cache's counters (BucketKeyCache.stats), read at scrape time */
export interface CacheCounters {
  readonly encryptHits: number;
  readonly encryptMisses: number;
  readonly decryptHits: number;
  readonly decryptMisses: number;
  readonly kmsCalls: number;
  readonly kmsMillis: number;
}

/**
 * The gateway's Prometheus metrics (issue 10 "Operations tooling"), in a registry of its own (two
 * gateways in one process do not collide; nothing lands in prom-client's global registry):
 * requests by S3 operation and status, latency per operation, body bytes in and out, refused
 * authentications by S3 code, integrity failures (responses cut after their headers), and the
 * bucket-key cache's hits, misses and KMS calls. Labels are operation names and codes only: no
 * bucket, key, principal or access key id.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({ name: 's3seal_requests_total', help: 'S3 requests answered, by operation and HTTP status', labelNames: ['operation', 'status'], registers: [this.registry] });
  private readonly latency = new Histogram({
    name: 's3seal_request_duration_seconds',
    help: 'time from request to the end of the response, by operation',
    labelNames: ['operation'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  private readonly bytesIn = new Counter({ name: 's3seal_request_body_bytes_total', help: 'request body bytes received (as framed on the wire)', registers: [this.registry] });
  private readonly bytesOut = new Counter({ name: 's3seal_response_body_bytes_total', help: 'response body bytes sent', registers: [this.registry] });
  private readonly authFailures = new Counter({ name: 's3seal_auth_failures_total', help: 'requests refused before the S3 core, by S3 error code', labelNames: ['code'], registers: [this.registry] });
  private readonly integrity = new Counter({ name: 's3seal_integrity_failures_total', help: 'responses whose body failed after the headers were sent (connection destroyed)', registers: [this.registry] });

  constructor(cache?: () => CacheCounters) {
    if (cache !== undefined) {
      const gauge = (name: string, help: string, labelNames: string[], read: (c: CacheCounters, set: (labels: Record<string, string>, v: number) => void) => void) =>
        new Gauge({
          name,
          help,
          labelNames,
          registers: [this.registry],
          collect() {
            read(cache(), (labels, v) => this.set(labels, v));
          },
        });
      gauge('s3seal_bucket_key_cache_lookups', 'bucket-key cache lookups since start, by side and result', ['side', 'result'], (c, set) => {
        set({ side: 'encrypt', result: 'hit' }, c.encryptHits);
        set({ side: 'encrypt', result: 'miss' }, c.encryptMisses);
        set({ side: 'decrypt', result: 'hit' }, c.decryptHits);
        set({ side: 'decrypt', result: 'miss' }, c.decryptMisses);
      });
      gauge('s3seal_bucket_key_kms_calls', 'KMS calls made for bucket keys since start', [], (c, set) => set({}, c.kmsCalls));
      gauge('s3seal_bucket_key_kms_seconds', 'time spent in KMS calls for bucket keys since start', [], (c, set) => set({}, c.kmsMillis / 1000));
    }
  }

  /** one answered request; `seconds` until its response finished (or broke) */
  request(operation: string, status: number, seconds: number): void {
    this.requests.inc({ operation, status: String(status) });
    this.latency.observe({ operation }, seconds);
  }

  received(bytes: number): void {
    this.bytesIn.inc(bytes);
  }

  sent(bytes: number): void {
    this.bytesOut.inc(bytes);
  }

  refused(code: string): void {
    this.authFailures.inc({ code });
  }

  integrityFailure(): void {
    this.integrity.inc();
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

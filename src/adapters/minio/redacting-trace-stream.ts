import { Writable } from 'node:stream';

/** SSE-C key headers as minio-js traces them (`name: value`), the copy source's too */
const KEY_HEADER = /^(x-amz-(?:copy-source-)?server-side-encryption-customer-key): .*$/gim;
/** the SSE-C key minio-js puts in the query of statObject / getPartialObject (`SSECustomerKey=…`) */
const KEY_QUERY = /((?:^|[?&])SSECustomerKey=)[^&\s]*/g;

/** one trace line with every SSE-C key replaced by **REDACTED** (key MD5s stay: they identify, they do not unlock) */
export function redactTraceLine(line: string): string {
  return line.replace(KEY_HEADER, '$1: **REDACTED**').replace(KEY_QUERY, '$1**REDACTED**');
}

/**
 * What `traceOn(stream)` of the sealed minio client writes to: `stream`, with SSE-C keys redacted.
 * minio-js's own tracer writes request paths and headers verbatim (it redacts only the signature), and
 * through the in-process door those carry customer keys (DESIGN.md: plaintext keys never reach a log).
 * minio-js writes one line per call, so redacting per write is enough.
 */
export function redactingTraceStream(stream: NodeJS.WritableStream): Writable {
  return new Writable({
    decodeStrings: false,
    write(chunk: string | Buffer, _encoding, done) {
      stream.write(redactTraceLine(typeof chunk === 'string' ? chunk : chunk.toString('utf8')));
      done();
    },
  });
}

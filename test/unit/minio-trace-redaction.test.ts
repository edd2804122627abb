import test from 'ava';
import { redactTraceLine } from '../../src/adapters/minio/redacting-trace-stream.js';

test('minio door trace: SSE-C key headers (copy source too) and the SSECustomerKey query value are redacted; MD5, algorithm and other lines untouched', (t) => {
  t.is(redactTraceLine('x-amz-server-side-encryption-customer-key: c2VjcmV0\n'), 'x-amz-server-side-encryption-customer-key: **REDACTED**\n');
  t.is(redactTraceLine('X-Amz-Copy-Source-Server-Side-Encryption-Customer-Key: c2VjcmV0\n'), 'X-Amz-Copy-Source-Server-Side-Encryption-Customer-Key: **REDACTED**\n');
  t.is(redactTraceLine('x-amz-server-side-encryption-customer-key-md5: bWQ1\n'), 'x-amz-server-side-encryption-customer-key-md5: bWQ1\n');
  t.is(redactTraceLine('x-amz-server-side-encryption-customer-algorithm: AES256\n'), 'x-amz-server-side-encryption-customer-algorithm: AES256\n');
  t.is(redactTraceLine('REQUEST: HEAD /b/k?SSECustomerAlgorithm=AES256&SSECustomerKey=c2Vj%2BcmV0&SSECustomerKeyMD5=bWQ1\n'), 'REQUEST: HEAD /b/k?SSECustomerAlgorithm=AES256&SSECustomerKey=**REDACTED**&SSECustomerKeyMD5=bWQ1\n');
  t.is(redactTraceLine('REQUEST: GET /b/k\n'), 'REQUEST: GET /b/k\n');
});

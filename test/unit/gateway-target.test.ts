import test from 'ava';
import { Socket } from 'node:net';
import { IncomingMessage } from 'node:http';
import { gatewayTarget, hostName } from '../../src/adapters/gateway/gateway-target.js';
import { arrivedOverTls, incomingParts } from '../../src/adapters/gateway/incoming-request.js';
import { s3ErrorShape } from '../../src/adapters/s3/s3-error-shape.js';

test('gateway target: path-style for any host that is not under a base domain; virtual-hosted under one; keys decoded once (%2F stays inside the key)', (t) => {
  const bases = ['s3.example.test'];
  t.deepEqual(gatewayTarget('127.0.0.1:9000', '/', bases), {});
  t.deepEqual(gatewayTarget('127.0.0.1:9000', '/bucket', bases), { bucket: 'bucket' });
  t.deepEqual(gatewayTarget('127.0.0.1:9000', '/bucket/', bases), { bucket: 'bucket' });
  t.deepEqual(gatewayTarget('localhost', '/bucket/a%20b/c%2Fd', bases), { bucket: 'bucket', key: 'a b/c/d' });
  t.deepEqual(gatewayTarget('s3.example.test', '/bucket/k', bases), { bucket: 'bucket', key: 'k' }, 'the base domain itself is path-style');
  t.deepEqual(gatewayTarget('My.Bucket.S3.Example.Test:443', '/dir/k%3F', bases), { bucket: 'my.bucket', key: 'dir/k?' }, 'a dotted bucket in the host, case-insensitive');
  t.deepEqual(gatewayTarget('bucket.s3.example.test', '/', bases), { bucket: 'bucket' });
  t.deepEqual(gatewayTarget('bucket.other.test', '/k', bases), { bucket: 'k' }, 'another domain is path-style');
  t.is(hostName('[::1]:9000'), '[::1]');
  const bad = t.throws(() => gatewayTarget('h', '/bucket/%E0%A4%A', bases));
  t.deepEqual([s3ErrorShape(bad).code, s3ErrorShape(bad).status], ['InvalidRequest', 400]);
});

function message(url: string, raw: string[], extra: { originalUrl?: string; remote?: string } = {}): IncomingMessage {
  const socket = new Socket();
  if (extra.remote !== undefined) Object.defineProperty(socket, 'remoteAddress', { value: extra.remote });
  const m = new IncomingMessage(socket);
  m.method = 'PUT';
  m.url = url;
  m.rawHeaders = raw;
  const headers: Record<string, string> = {};
  for (let i = 0; i < raw.length; i += 2) headers[raw[i]!.toLowerCase()] = raw[i + 1]!;
  m.headers = headers;
  if (extra.originalUrl !== undefined) (m as IncomingMessage & { originalUrl: string }).originalUrl = extra.originalUrl;
  return m;
}

test('incoming request: repeated headers are joined with "," for the signature and ", " for the core; a mounted handler signs over originalUrl but addresses by url', (t) => {
  const p = incomingParts(message('/b/k?x-id=PutObject', ['Host', 'h', 'X-Amz-Meta-A', ' one ', 'x-amz-meta-a', 'two'], { originalUrl: '/s3/b/k?x-id=PutObject' }));
  t.is(p.signed.headers['x-amz-meta-a'], 'one,two');
  t.is(p.headers['x-amz-meta-a'], ' one , two');
  t.is(p.signed.rawPath, '/s3/b/k');
  t.is(p.targetPath, '/b/k');
  t.deepEqual(p.signed.query, [{ name: 'x-id', value: 'PutObject' }]);
});

test('incoming request: TLS is the socket\'s, or a trusted proxy\'s X-Forwarded-Proto (IPv4-mapped addresses match their IPv4 form); anyone else\'s header is ignored', (t) => {
  const fwd = ['Host', 'h', 'X-Forwarded-Proto', 'https'];
  t.false(arrivedOverTls(message('/', fwd, { remote: '10.0.0.9' }), ['10.0.0.1']));
  t.true(arrivedOverTls(message('/', fwd, { remote: '10.0.0.1' }), ['10.0.0.1']));
  t.true(arrivedOverTls(message('/', fwd, { remote: '::ffff:10.0.0.1' }), ['10.0.0.1']));
  t.false(arrivedOverTls(message('/', ['Host', 'h', 'X-Forwarded-Proto', 'http'], { remote: '10.0.0.1' }), ['10.0.0.1']));
  t.false(arrivedOverTls(message('/', ['Host', 'h'], { remote: '10.0.0.1' }), ['10.0.0.1']));
  // a proxy that appends to the client's header: the last value is the proxy's (review: the client's first one was trusted)
  t.false(arrivedOverTls(message('/', ['Host', 'h', 'X-Forwarded-Proto', 'https, http'], { remote: '10.0.0.1' }), ['10.0.0.1']));
  t.false(arrivedOverTls(message('/', ['Host', 'h', 'X-Forwarded-Proto', 'https', 'X-Forwarded-Proto', 'http'], { remote: '10.0.0.1' }), ['10.0.0.1']));
  t.true(arrivedOverTls(message('/', ['Host', 'h', 'X-Forwarded-Proto', 'http, https'], { remote: '10.0.0.1' }), ['10.0.0.1']));
});

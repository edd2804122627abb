/**
 * DeleteObjects through the S3 core over real MinIO (issue 7 item 1): the body's Content-MD5 or
 * x-amz-checksum-* is required and verified before anything is deleted; verbose and quiet
 * DeleteResult as S3 writes it; a key the action policy refuses is reported in the result, per key,
 * and stays; keys are taken from the XML exactly (spaces, entities).
 */
import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { SealError } from '../../src/errors.js';
import { contentMd5, listFixture, type ListFixture } from '../helpers/list-fixture.js';
import { xmlOf } from '../helpers/s3-core-fixture.js';

const NS = 'http://s3.amazonaws.com/doc/2006-03-01/';

function deleteXml(keys: string[], quiet?: boolean): string {
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<?xml version="1.0" encoding="UTF-8"?><Delete xmlns="${NS}">${quiet !== undefined ? `<Quiet>${quiet}</Quiet>` : ''}${keys.map((k) => `<Object><Key>${esc(k)}</Key></Object>`).join('')}</Delete>`;
}

async function post(f: ListFixture, xml: string, headers: Record<string, string> = { 'content-md5': contentMd5(xml) }) {
  const body = Buffer.from(xml);
  return f.call({ method: 'POST', query: { delete: '' }, body: Readable.from([body]), headers: { 'content-length': String(body.length), ...headers } });
}

async function exists(f: ListFixture, key: string): Promise<boolean> {
  try {
    await f.raw.send(new HeadObjectCommand({ Bucket: f.bucket, Key: key }));
    return true;
  } catch {
    return false;
  }
}

type Entry = { Key: string; Code?: string; Message?: string };
const entries = (v: unknown): Entry[] => (v === undefined ? [] : Array.isArray(v) ? (v as Entry[]) : [v as Entry]);

test('DeleteObjects verbose and quiet: every key reported (missing ones too, as S3 does), quiet lists none; keys exactly as the XML names them', async (t) => {
  const f = await listFixture('del');
  try {
    const keys = ['x/1', 'x/ spaced & <odd> ', 'x/007'];
    for (const k of keys) await f.put(k, randomBytes(9));
    const a = await post(f, deleteXml([...keys, 'x/missing']));
    t.is(a.status, 200);
    t.true(a.body.toString().includes(`<DeleteResult xmlns="${NS}">`));
    const r = xmlOf(a)['DeleteResult'] as Record<string, unknown>;
    // (the test's XML reader trims text: the untrimmed key is checked in the document itself)
    t.deepEqual(entries(r['Deleted']).map((d) => d.Key).sort(), [...keys.map((k) => k.trim()), 'x/missing'].sort());
    t.true(a.body.toString().includes('<Key>x/ spaced &amp; &lt;odd&gt; </Key>'), 'the key as stored, escaped, its spaces kept');
    t.is(r['Error'], undefined);
    for (const k of keys) t.false(await exists(f, k), `${k} is gone`);
    f.reset();

    await f.put('x/q', randomBytes(3));
    const q = await post(f, deleteXml(['x/q'], true));
    t.is(q.status, 200);
    t.deepEqual(xmlOf(q)['DeleteResult'], '', 'quiet: an empty DeleteResult');
    t.false(await exists(f, 'x/q'));
    t.is(f.sent.get('DeleteObjectsCommand'), 1, 'one backend batch');
  } finally {
    await f.close();
  }
});

test('DeleteObjects: a key the policy refuses is an AccessDenied Error of the result and stays; the others are deleted (quiet or not)', async (t) => {
  const asked: string[] = [];
  const f = await listFixture('deny', () => ({}), {
    authorize: (_p, action, o) => {
      if (action === 'DeleteObject') asked.push(o.key);
      return action === 'DeleteObject' && o.key.startsWith('keep/') ? Promise.reject(new SealError('AccessDenied', 'policy: no delete under keep/')) : Promise.resolve();
    },
  });
  try {
    for (const k of ['keep/a', 'drop/a', 'drop/b']) await f.put(k, randomBytes(4));
    for (const quiet of [false, true]) {
      const a = await post(f, deleteXml(['keep/a', 'drop/a', 'drop/b'], quiet));
      t.is(a.status, 200);
      const r = xmlOf(a)['DeleteResult'] as Record<string, unknown>;
      t.deepEqual(entries(r['Error']), [{ Key: 'keep/a', Code: 'AccessDenied', Message: 'Access Denied' }], `quiet=${quiet}: the refusal, per key, in S3's words only`);
      t.deepEqual(entries(r['Deleted']).map((d) => d.Key).sort(), quiet ? [] : ['drop/a', 'drop/b']);
    }
    t.true(await exists(f, 'keep/a'));
    t.false(await exists(f, 'drop/a'));
    t.true(asked.includes('drop/b') && asked.includes('keep/a'), 'the policy is asked per key');
  } finally {
    await f.close();
  }
});

test('DeleteObjects body: Content-MD5 or x-amz-checksum-* required (InvalidRequest), a wrong one is BadDigest, a wrong signed payload hash XAmzContentSHA256Mismatch, and neither deletes anything; x-amz-checksum-crc32 accepted; malformed XML, a DTD, no Object and over 1000 keys are MalformedXML', async (t) => {
  const f = await listFixture('delbody');
  try {
    await f.put('b/1', randomBytes(4));
    const xml = deleteXml(['b/1']);
    const code = (a: { body: Buffer }): string => (xmlOf({ status: 0, headers: {}, body: a.body })['Error'] as { Code: string }).Code;

    const none = await post(f, xml, {});
    t.deepEqual([none.status, code(none)], [400, 'InvalidRequest']);
    const wrong = await post(f, xml, { 'content-md5': contentMd5('something else') });
    t.deepEqual([wrong.status, code(wrong)], [400, 'BadDigest']);
    const wrongCrc = await post(f, xml, { 'x-amz-checksum-crc32': 'AAAAAA==' });
    t.deepEqual([wrongCrc.status, code(wrongCrc)], [400, 'BadDigest']);
    const wrongSha = await post(f, xml, { 'content-md5': contentMd5(xml), 'x-amz-content-sha256': createHash('sha256').update('other').digest('hex') });
    t.deepEqual([wrongSha.status, code(wrongSha)], [400, 'XAmzContentSHA256Mismatch']);
    t.true(await exists(f, 'b/1'), 'nothing deleted on a bad digest');
    f.reset();

    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.from(xml)));
    const ok = await post(f, xml, { 'x-amz-checksum-crc32': crc.toString('base64'), 'x-amz-sdk-checksum-algorithm': 'CRC32' });
    t.is(ok.status, 200);
    t.false(await exists(f, 'b/1'));

    const malformed = ['<Delete><Object><Key>a</Key></Object>', '<!DOCTYPE x [<!ENTITY e "b">]><Delete><Object><Key>&e;</Key></Object></Delete>', '<Delete><Quiet>true</Quiet></Delete>', '<Delete><Object><Key></Key></Object></Delete>', deleteXml(Array.from({ length: 1001 }, (_, i) => `k${i}`))];
    for (const m of malformed) {
      const a = await post(f, m);
      t.deepEqual([a.status, code(a)], [400, 'MalformedXML'], m.slice(0, 60));
    }
    t.is(f.sent.get('DeleteObjectsCommand'), 1, 'no refused request reached the backend');
  } finally {
    await f.close();
  }
});

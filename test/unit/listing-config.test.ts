/**
 * Config `listing` (container/config.ts): defaults (no encrypted-only prefix: every size by HEAD; 8
 * HEADs at once; 100,000 cached sizes), prefixes default to the whole bucket, bad values are startup
 * errors naming the field; the container builds ListedSizes from it.
 */
import test from 'ava';
import { randomBytes } from 'node:crypto';
import { resolveConfig, ConfigError } from '../../src/container/config.js';

const base = { backend: { endpoint: 'http://127.0.0.1:9', accessKeyId: 'a', secretAccessKey: 'b' }, uploadTokenRoot: randomBytes(32).toString('base64') };

test('listing defaults and validation', (t) => {
  t.deepEqual(resolveConfig(base).listing, { encryptedOnly: [], headConcurrency: 8, sizeCacheEntries: 100_000 });
  t.deepEqual(resolveConfig({ ...base, listing: { encryptedOnly: [{ bucket: 'b' }, { bucket: 'c', prefix: 'sealed/' }] } }).listing.encryptedOnly, [
    { bucket: 'b', prefix: '' },
    { bucket: 'c', prefix: 'sealed/' },
  ]);
  for (const [listing, field] of [
    [{ headConcurrency: 0 }, 'listing.headConcurrency'],
    [{ sizeCacheEntries: -1 }, 'listing.sizeCacheEntries'],
    [{ encryptedOnly: [{ prefix: 'x/' }] }, 'listing.encryptedOnly.0.bucket'],
    [{ encryptedOnly: [{ bucket: 'b', multipart: true }] }, 'listing.encryptedOnly.0'],
  ] as const) {
    t.throws(() => resolveConfig({ ...base, listing }), { instanceOf: ConfigError, message: new RegExp(`field ${field.replace(/\./g, '\\.')}`) });
  }
});

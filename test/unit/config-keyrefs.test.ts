/** Configuration: every keyRef is validated when the configuration is resolved (review of issue 7's materials). */
import test from 'ava';
import { ConfigError, resolveConfig } from '../../src/container/config.js';

const backend = { endpoint: 'http://127.0.0.1:9000', accessKeyId: 'a', secretAccessKey: 'b' };

test('config: a misspelt keyRef (readKeys, defaultKmsKey, sseS3Key, uploadTokenKey) is a startup error naming the field (review)', (t) => {
  const root = { uploadTokenRoot: Buffer.alloc(32).toString('base64') };
  for (const [input, field] of [
    [{ backend, ...root, readKeys: ['file:ok', 'kms:typo'] }, 'readKeys.1'],
    [{ backend, ...root, defaultKmsKey: 'vault:nomount' }, 'defaultKmsKey'],
    [{ backend, ...root, sseS3Key: 'file:' }, 'sseS3Key'],
    [{ backend, uploadTokenKey: 'nope:x' }, 'uploadTokenKey'],
  ] as const) {
    const err = t.throws(() => resolveConfig(input), { instanceOf: ConfigError });
    t.true(err.message.startsWith(`configuration field ${field}:`), err.message);
  }
  t.notThrows(() => resolveConfig({ backend, ...root, readKeys: ['alias/a', 'arn:aws:kms:us-east-1:1:key/k', 'vault:transit/k', 'file:k', 'bare'] }));
});

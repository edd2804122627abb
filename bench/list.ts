/**
 * list (issue 7 acceptance, DESIGN.md "Benchmarks report backend requests per listed object"):
 * backend requests per object of a ListObjectsV2 walk over 1,000 single-part SSE-S3 objects, beyond
 * the LIST pages themselves, counted at the backend S3 client (a middleware on its stack). Candidate:
 * the prefix configured encrypted-only (sizes by formula); baseline: the same walk without that
 * configuration (one HEAD per object). Each run starts with an empty size cache.
 *
 *   npm run bench -- list   (BENCH_LIST_OBJECTS, default 1000; BENCH_RUNS, default 5)
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { startService } from '../scripts/harness/start-service.js';
import type { RunningService } from '../scripts/harness/service-descriptor.js';
import { createContainer, closeContainer, getService, TOKENS } from '../src/index.js';
import { ObjectFacade } from '../src/engine/facade/object-facade.js';
import { ListedSizes, type ListedSizesOptions } from '../src/engine/listed-sizes.js';
import { makeRecord, type BenchRecord } from './lib/record.js';

const OBJECTS = Number(process.env['BENCH_LIST_OBJECTS'] ?? 1000);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);
const PREFIX = 'many/';

export async function run(): Promise<BenchRecord[]> {
  const started: RunningService[] = [];
  try {
    const minio = await startService('minio');
    started.push(minio);
    const bucket = 'list-bench';
    const keyFile = join(tmpdir(), `s3seal-list-bench-${randomBytes(4).toString('hex')}.json`);
    const c = createContainer({
      backend: { endpoint: minio.endpoint, accessKeyId: minio.accessKey!, secretAccessKey: minio.secretKey! },
      keystores: { file: { path: keyFile, create: true } },
      defaultKmsKeystore: 'file',
      uploadTokenRoot: randomBytes(32).toString('base64'),
    });
    try {
      await getService(c, TOKENS.FileKeystore).createKey('s3-default');
      const s3 = getService(c, TOKENS.S3Client);
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      const sent = new Map<string, number>();
      s3.middlewareStack.add(
        (next, context) => (args) => {
          const n = context.commandName ?? '?';
          sent.set(n, (sent.get(n) ?? 0) + 1);
          return next(args);
        },
        { step: 'initialize', name: 'countBackendCommands' },
      );
      const store = getService(c, TOKENS.ObjectStore);
      const base = getService(c, TOKENS.ObjectFacade);
      let next = 0;
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          while (next < OBJECTS) {
            const i = next++;
            const body = randomBytes(i % 4096);
            await base.putObject({ bucket, key: `${PREFIX}${String(i).padStart(5, '0')}`, principal: 'bench', body, contentLength: body.length, encryption: { mode: 'SSE-S3' } });
          }
        }),
      );
      /** backend requests per object beyond the LIST pages, for one walk with a fresh size cache */
      const walk = async (opts: ListedSizesOptions): Promise<number> => {
        const facade = new ObjectFacade(getService(c, TOKENS.SealedObjects), getService(c, TOKENS.MaterialsManager), store, getService(c, TOKENS.ObjectActionPolicy), { sizes: new ListedSizes(store, opts) });
        sent.clear();
        let token: string | undefined;
        let listed = 0;
        do {
          const r = await facade.listObjects({ api: 'v2', bucket, principal: 'bench', prefix: PREFIX, ...(token ? { continuationToken: token } : {}) });
          listed += r.objects.length;
          token = r.isTruncated ? r.nextContinuationToken : undefined;
        } while (token);
        if (listed !== OBJECTS) throw new Error(`listed ${listed} of ${OBJECTS}`);
        const total = [...sent.values()].reduce((a, b) => a + b, 0);
        return (total - (sent.get('ListObjectsV2Command') ?? 0)) / OBJECTS;
      };
      await walk({}); // warm-up
      const candidate: number[] = [];
      const baseline: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        candidate.push(await walk({ encryptedOnly: [{ bucket, prefix: PREFIX }] }));
        baseline.push(await walk({}));
      }
      return [
        makeRecord({
          name: 'list_backend_requests_per_object',
          unit: 'requests/object',
          baselineName: 'same walk, prefix not configured encrypted-only (HEAD per object, cold cache)',
          higherIsBetter: false,
          candidate,
          baseline,
          target: 'value <= 0.01',
          notes: `${OBJECTS} single-part SSE-S3 objects (0..4095 B) in an encrypted-only prefix, ListObjectsV2 pages of 1000, requests counted at the backend S3 client beyond the LIST pages`,
        }),
      ];
    } finally {
      await closeContainer(c);
      rmSync(keyFile, { force: true });
    }
  } finally {
    await Promise.allSettled(started.map((s) => s.stop()));
  }
}

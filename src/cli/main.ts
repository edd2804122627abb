#!/usr/bin/env node
import { resolve } from 'node:path';
import { Command } from 'commander';
import { runDemo } from './demo.js';

const program = new Command('s3seal').description('S3 server-side encryption (SSE-C, SSE-S3, SSE-KMS) in front of any S3 endpoint');

program
  .command('demo')
  .description('end-to-end demo on embedded defaults: local MinIO + file keystore; encrypt → MinIO → decrypt')
  .option('--data-dir <dir>', 'where MinIO data, demo credentials and the key file live', process.env['S3SEAL_DATA_DIR'] ?? '.s3seal')
  .action(async (opts: { dataDir: string }) => {
    await runDemo(resolve(opts.dataDir));
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(`s3seal: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});

#!/usr/bin/env node
import { resolve } from 'node:path';
import { Command } from 'commander';
import { runDemo } from './demo.js';
import { runServe } from './serve.js';

const program = new Command('s3seal').description('S3 server-side encryption (SSE-C, SSE-S3, SSE-KMS) in front of any S3 endpoint');

program
  .command('demo')
  .description('end-to-end demo on embedded defaults: local MinIO + file keystore; encrypt → MinIO → decrypt')
  .option('--data-dir <dir>', 'where MinIO data, demo credentials and the key file live', process.env['S3SEAL_DATA_DIR'] ?? '.s3seal')
  .action(async (opts: { dataDir: string }) => {
    await runDemo(resolve(opts.dataDir));
  });

program
  .command('serve')
  .description('the encrypting S3 gateway: any S3 client, SSE-C / SSE-S3 / SSE-KMS in front of the configured backend')
  .requiredOption('--config <file>', 'configuration file (JSON or YAML): backend, keystores, policy document with access keys, gateway')
  .option('--port <port>', 'listen port (default: config gateway.port, or S3SEAL_PORT)', (v) => Number(v))
  .option('--host <host>', 'listen address (default: config gateway.host)')
  .option('--tls-cert <file>', 'PEM certificate (with --tls-key; default: config gateway.tls)')
  .option('--tls-key <file>', 'PEM private key')
  .option('--workers <n>', 'gateway processes sharing the port (node:cluster; default: the host\'s cores)', (v) => Number(v))
  .action(async (opts: { config: string; port?: number; host?: string; tlsCert?: string; tlsKey?: string; workers?: number }) => {
    await runServe({ ...opts, config: resolve(opts.config) });
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(`s3seal: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});

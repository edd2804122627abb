#!/usr/bin/env node
import { resolve } from 'node:path';
import { Command } from 'commander';
import { runDemo } from './demo.js';
import { runServe } from './serve.js';
import { runServeEmbedded } from './serve-embedded.js';

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
  .option('--config <file>', 'configuration file (JSON or YAML): backend, keystores, policy document with access keys, gateway; without it: the embedded default (local MinIO, demo keys and credentials, HTTPS with a generated certificate, all in --data-dir)')
  .option('--data-dir <dir>', 'embedded default only: where MinIO data, keys, demo credentials and the certificate live', process.env['S3SEAL_DATA_DIR'] ?? '.s3seal')
  .option('--port <port>', 'listen port (default: config gateway.port, or S3SEAL_PORT)', (v) => Number(v))
  .option('--host <host>', 'listen address (default: config gateway.host)')
  .option('--tls-cert <file>', 'PEM certificate (with --tls-key; default: config gateway.tls)')
  .option('--tls-key <file>', 'PEM private key')
  .option('--workers <n>', 'gateway processes sharing the port (node:cluster; default: the host\'s cores)', (v) => Number(v))
  .action(async (opts: { config?: string; dataDir: string; port?: number; host?: string; tlsCert?: string; tlsKey?: string; workers?: number }) => {
    const { config, dataDir, ...flags } = opts;
    if (config !== undefined) {
      await runServe({ ...flags, config: resolve(config) });
      return;
    }
    if (flags.host !== undefined || flags.tlsCert !== undefined || flags.tlsKey !== undefined) throw new Error('--host, --tls-cert and --tls-key need --config (the embedded default listens on 127.0.0.1 with its own certificate)');
    await runServeEmbedded({ dataDir: resolve(dataDir), ...(flags.port !== undefined ? { port: flags.port } : {}), ...(flags.workers !== undefined ? { workers: flags.workers } : {}) });
  });

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(`s3seal: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});

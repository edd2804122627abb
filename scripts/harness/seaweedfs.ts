import { CreateBucketCommand, DeleteBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePorts } from './free-port.js';
import { runningService } from './running-service.js';
import type { RunningService } from './service-descriptor.js';
import { makeDataDir, randomSecret, spawnService, startOrCleanUp, waitHealthy } from './service-process.js';
import { ensureTool } from './tools.js';

/**
 * Starts `weed server` (master + volume + filer + S3) on loopback. Every port is chosen explicitly,
 * gRPC ones included: by default weed uses port+10000 for gRPC, which may be taken, and it opens
 * extra listeners (Iceberg, Lance) on fixed ports that would collide between runs.
 */
export async function startSeaweedfs(): Promise<RunningService> {
  const binary = await ensureTool('seaweedfs');
  const [master, masterGrpc, volume, volumeGrpc, filer, filerGrpc, s3, s3Grpc] = (await freePorts(8)) as [number, number, number, number, number, number, number, number];
  const dataDir = makeDataDir('seaweedfs');
  const accessKey = `s3seal${randomSecret(6)}`;
  const secretKey = randomSecret(20);
  const s3Config = join(dataDir, 's3.json');
  writeFileSync(s3Config, JSON.stringify({
    identities: [{ name: 's3seal', credentials: [{ accessKey, secretKey }], actions: ['Admin', 'Read', 'List', 'Tagging', 'Write'] }],
  }), { mode: 0o600 });
  // `-volume.max`: an explicit volume count. The automatic one (free disk / volume size limit) ran out
  // after ~40 buckets — SeaweedFS gives every bucket its own collection and grows 7 volumes for it —
  // and every write then failed with 500 ("No writable volumes and no free volumes left"); volume
  // files are sparse, so a high count costs no disk.
  const args = [
    'server', `-dir=${dataDir}`, '-ip=127.0.0.1', '-ip.bind=127.0.0.1',
    `-master.port=${master}`, `-master.port.grpc=${masterGrpc}`, '-master.volumeSizeLimitMB=256', '-master.telemetry=false',
    `-volume.port=${volume}`, `-volume.port.grpc=${volumeGrpc}`, '-volume.max=3000',
    '-filer', `-filer.port=${filer}`, `-filer.port.grpc=${filerGrpc}`,
    '-s3', `-s3.port=${s3}`, `-s3.port.grpc=${s3Grpc}`, `-s3.config=${s3Config}`, '-s3.port.iceberg=0', '-s3.port.lance=0',
  ];
  // weed always puts unix sockets at /tmp/seaweedfs-<role>-<port>.sock (not configurable, ignores TMPDIR).
  const extraFiles = [
    `filer-${filer}`, `filer-grpc-${filerGrpc}`, `master-grpc-${masterGrpc}`, `volume-grpc-${volumeGrpc}`, `s3-${s3}`, `s3-grpc-${s3Grpc}`,
  ].map((suffix) => `/tmp/seaweedfs-${suffix}.sock`);
  const proc = spawnService(binary, args, dataDir, process.env, extraFiles);
  const endpoint = `http://127.0.0.1:${s3}`;
  return startOrCleanUp(proc, async () => {
    const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: accessKey, secretAccessKey: secretKey }, maxAttempts: 1 });
    try {
      // The S3 port answers before the filer and volume servers are ready: only a real write proves health.
      await waitHealthy('seaweedfs', proc, async () => {
        const bucket = `health-${randomSecret(4)}`;
        await client.send(new CreateBucketCommand({ Bucket: bucket }));
        await client.send(new DeleteBucketCommand({ Bucket: bucket }));
        return true;
      }, 120_000);
    } finally {
      client.destroy();
    }
    return runningService({ name: 'seaweedfs', endpoint, accessKey, secretKey, region: 'us-east-1', pid: proc.pid, dataDir, logFile: proc.logFile, extraFiles });
  });
}

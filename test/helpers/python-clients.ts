/**
 * The real Python S3 clients — the aws cli v1 and boto3, pinned in scripts/harness/tools.ts and
 * installed into the tool cache (`services build python-clients`, or here on first use) — run with
 * that installation only: `python3 -S` (no site-packages of the machine) with the cache as
 * PYTHONPATH, and an environment that carries no AWS setting of the machine or of the user (no
 * config or credentials file, no instance metadata): what the test passes is all they see.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureTool } from '../../scripts/harness/tools.js';
import { tempDir } from './temp-dir.js';

export interface PythonClientEnv {
  accessKeyId: string;
  secretAccessKey: string;
  /** PEM file the clients trust (AWS_CA_BUNDLE) */
  caBundle?: string;
  region?: string;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

let home: string | undefined;

async function clientEnv(e: PythonClientEnv): Promise<NodeJS.ProcessEnv> {
  const dir = await ensureTool('python-clients');
  home ??= tempDir('python-clients-home');
  const config = join(home, 'aws-config');
  // path-style addressing: the gateway on loopback has no bucket DNS names. SigV4 for presigned
  // URLs too: the cli v1 presigns with SigV2 unless told, and the gateway accepts SigV4 only
  writeFileSync(config, '[default]\ns3 =\n    addressing_style = path\n    signature_version = s3v4\n');
  return {
    PATH: process.env['PATH'] ?? '/usr/bin:/bin',
    HOME: home,
    LANG: 'C.UTF-8',
    PYTHONPATH: dir,
    PYTHONNOUSERSITE: '1',
    PYTHONDONTWRITEBYTECODE: '1',
    AWS_ACCESS_KEY_ID: e.accessKeyId,
    AWS_SECRET_ACCESS_KEY: e.secretAccessKey,
    AWS_DEFAULT_REGION: e.region ?? 'us-east-1',
    AWS_CONFIG_FILE: config,
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_PAGER: '',
    ...(e.caBundle !== undefined ? { AWS_CA_BUNDLE: e.caBundle } : {}),
  };
}

function run(args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-S', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** `aws ARGS…` (the pinned aws cli v1); never throws for a non-zero exit: the caller asserts */
export async function aws(args: string[], e: PythonClientEnv, timeoutMs = 120_000): Promise<RunResult> {
  return run(['-m', 'awscli', ...args], await clientEnv(e), timeoutMs);
}

/** `aws ARGS…` that must succeed: resolves with stdout, throws with stderr otherwise */
export async function awsOk(args: string[], e: PythonClientEnv, timeoutMs = 120_000): Promise<string> {
  const r = await aws(args, e, timeoutMs);
  if (r.code !== 0) throw new Error(`aws ${args.join(' ')} exited ${String(r.code)}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** a Python script (with the pinned boto3 importable) run with `args`; never throws for a non-zero exit */
export async function python(script: string, args: string[], e: PythonClientEnv, timeoutMs = 120_000): Promise<RunResult> {
  return run([script, ...args], await clientEnv(e), timeoutMs);
}

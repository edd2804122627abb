import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ServeProcess {
  /** the endpoint of its ready line */
  url: string;
  pid: number;
  /** SIGTERM (the gateway drains and exits), resolves on exit */
  stop(): Promise<void>;
}

const cli = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

/**
 * `s3seal serve --config FILE [--workers N]` as its own process, as an operator runs it: resolves once
 * its `s3seal ready endpoint=…` line is out. Its logs (stderr) are kept in memory to explain an early exit.
 */
export function startServe(configFile: string, workers?: number): Promise<ServeProcess> {
  const args = [cli, 'serve', '--config', configFile, ...(workers !== undefined ? ['--workers', String(workers)] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^s3seal ready endpoint=(\S+)$/m.exec(out);
      if (m) {
        resolve({
          url: m[1]!,
          pid: child.pid!,
          stop: async () => {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
            await exited;
          },
        });
      }
    });
    void exited.then(() => reject(new Error(`s3seal serve exited before it was ready: ${err}`)));
  });
}

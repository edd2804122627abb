import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

export interface RunLoggedOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Output of the command is appended here, so a long build's noise stays out of the terminal. */
  logFile: string;
}

/** Runs a command to completion with its output in a log file; resolves with the exit code. */
export async function runLogged(command: string, args: readonly string[], options: RunLoggedOptions): Promise<number> {
  const fd = openSync(options.logFile, 'a');
  try {
    return await new Promise<number>((resolve, reject) => {
      const child = spawn(command, args, {
        cwd: options.cwd,
        env: options.env ?? process.env,
        stdio: ['ignore', fd, fd],
      });
      child.on('error', reject);
      child.on('exit', (code, signal) => resolve(code ?? (signal !== null ? 128 : 1)));
    });
  } finally {
    closeSync(fd);
  }
}

/** Last lines of a log file, for error messages that must show *why* something failed. */
export function tailFile(file: string, lines = 30): string {
  try {
    const text = readFileSync(file, 'utf8').trimEnd().split('\n');
    return text.slice(-lines).join('\n');
  } catch {
    return '(no log output)';
  }
}

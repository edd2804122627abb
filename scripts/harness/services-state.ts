import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { runStateFile } from './cache-dir.js';
import type { ServiceDescriptor, ServicesFile } from './service-descriptor.js';
import { isUnavailable } from './service-descriptor.js';

/** Reads a services JSON file (state of `services up`, or the file `npm test` hands to AVA). */
export function readServicesFile(file: string): ServicesFile {
  if (!existsSync(file)) return {};
  return JSON.parse(readFileSync(file, 'utf8')) as ServicesFile;
}

/** Writes atomically (temp + rename) with mode 0600: the file holds credentials. */
export function writeServicesFile(file: string, services: ServicesFile): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(services, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, file);
}

export function readRunState(): ServicesFile {
  return readServicesFile(runStateFile());
}

export function writeRunState(services: ServicesFile): void {
  writeServicesFile(runStateFile(), services);
}

/** The entries of a services file that are running descriptors (not "unavailable" records). */
export function runningEntries(services: ServicesFile): ServiceDescriptor[] {
  return Object.values(services).filter((entry): entry is ServiceDescriptor => entry !== undefined && !isUnavailable(entry));
}

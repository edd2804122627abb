import type { RunningService, ServiceDescriptor } from './service-descriptor.js';
import { stopProcess } from './service-process.js';

/** Attaches `stop()` (kill the process group, remove the data dir) to a descriptor, e.g. one read back from state. */
export function runningService(descriptor: ServiceDescriptor): RunningService {
  let stopping: Promise<void> | undefined;
  return {
    ...descriptor,
    stop: () => (stopping ??= stopProcess(descriptor.pid, descriptor.dataDir, descriptor.extraFiles)),
  };
}

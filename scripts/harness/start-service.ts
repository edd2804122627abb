import { startLocalKms } from './localkms.js';
import { startMinio } from './minio.js';
import { startOpenbao } from './openbao.js';
import { startSeaweedfs } from './seaweedfs.js';
import type { RunningService, ServiceName } from './service-descriptor.js';
import type { ToolName } from './tools.js';

/** Starts one named service (building its tool first if needed). */
export function startService(name: ServiceName): Promise<RunningService> {
  switch (name) {
    case 'minio': return startMinio();
    case 'minio-sse': return startMinio({ nativeSse: true });
    case 'seaweedfs': return startSeaweedfs();
    case 'openbao': return startOpenbao();
    case 'localkms': return startLocalKms();
  }
}

/** The tool each service runs, so callers can build all tools (sequentially, 2 cores) before starting. */
export const TOOL_FOR_SERVICE: Record<ServiceName, ToolName> = {
  minio: 'minio',
  'minio-sse': 'minio',
  seaweedfs: 'seaweedfs',
  openbao: 'openbao',
  localkms: 'local-kms',
};

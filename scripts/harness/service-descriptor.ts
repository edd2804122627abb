/** The five real services the harness can start. */
export type ServiceName = 'minio' | 'minio-sse' | 'seaweedfs' | 'openbao' | 'localkms';
export const SERVICE_NAMES: readonly ServiceName[] = ['minio', 'minio-sse', 'seaweedfs', 'openbao', 'localkms'];

export function isServiceName(value: string): value is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(value);
}

/** What a client needs to talk to a running service; plain data, so it can be written as JSON. */
export interface ServiceDescriptor {
  name: ServiceName;
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  endpoint: string;
  accessKey?: string;
  secretKey?: string;
  /** OpenBao root token. */
  token?: string;
  /** OpenBao Transit mount path. */
  mount?: string;
  region?: string;
  /** Bookkeeping so another process (`services down`) can stop it and clean up. */
  pid: number;
  dataDir: string;
  logFile: string;
  /** Files the server creates outside its data dir (SeaweedFS: unix sockets in /tmp), removed on stop. */
  extraFiles?: string[];
}

/** A service that could not be obtained; tests needing it fail with `unavailable` as the reason. */
export interface UnavailableService {
  name: ServiceName;
  unavailable: string;
}

export interface RunningService extends ServiceDescriptor {
  stop(): Promise<void>;
}

/** JSON layout shared by `npm test` (S3SEAL_TEST_SERVICES) and `services up` state. */
export type ServicesFile = Partial<Record<ServiceName, ServiceDescriptor | UnavailableService>>;

export function isUnavailable(entry: ServiceDescriptor | UnavailableService): entry is UnavailableService {
  return 'unavailable' in entry;
}

/** Strips the stop function so the descriptor can be serialized. */
export function describe(service: RunningService): ServiceDescriptor {
  const descriptor: Partial<RunningService> = { ...service };
  delete descriptor.stop;
  return descriptor as ServiceDescriptor;
}

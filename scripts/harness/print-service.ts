import type { ServiceDescriptor, UnavailableService } from './service-descriptor.js';
import { isUnavailable } from './service-descriptor.js';

/** One human-readable block per service: what a developer pastes into a client config. */
export function formatService(entry: ServiceDescriptor | UnavailableService): string {
  if (isUnavailable(entry)) return `${entry.name}: UNAVAILABLE\n  ${entry.unavailable.split('\n').join('\n  ')}`;
  const lines = [`${entry.name}: ${entry.endpoint}  (pid ${entry.pid})`];
  if (entry.accessKey !== undefined) lines.push(`  access key: ${entry.accessKey}`);
  if (entry.secretKey !== undefined) lines.push(`  secret key: ${entry.secretKey}`);
  if (entry.token !== undefined) lines.push(`  token:      ${entry.token}`);
  if (entry.mount !== undefined) lines.push(`  mount:      ${entry.mount}`);
  if (entry.region !== undefined) lines.push(`  region:     ${entry.region}`);
  lines.push(`  data dir:   ${entry.dataDir}`, `  log:        ${entry.logFile}`);
  return lines.join('\n');
}

/**
 * Where a loaded configuration came from (the profile), kept beside the object loadConfig returns
 * so that createContainer / startContainer can name the profile in a startup failure too, without
 * a field the schema would have to accept.
 */
export interface ConfigSource {
  /** the chosen profile; undefined: the file's base alone (or no file) */
  readonly profile: string | undefined;
  /** the configuration file read, if any */
  readonly file: string | undefined;
}

const sources = new WeakMap<object, ConfigSource>();

export function rememberConfigSource(config: object, source: ConfigSource): void {
  sources.set(config, source);
}

export function configSourceOf(input: unknown): ConfigSource | undefined {
  return typeof input === 'object' && input !== null ? sources.get(input) : undefined;
}

/** `s3seal configuration (profile staging)`: the start of every configuration message */
export function configLabel(source: ConfigSource | undefined, what = 's3seal configuration'): string {
  return source?.profile !== undefined ? `${what} (profile ${source.profile})` : what;
}

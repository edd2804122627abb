/** what the gateway logs to (a pino logger fits): operational events, never keys, secrets or bodies */
export interface GatewayLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

import pino, { DestinationStream, Logger } from 'pino';
import type { LogLevel } from '../config/gateway-config';
import { PiiValueRegistry } from './pii-value-registry';
import { redactLogLine } from './redaction';

const REQ_ID_IN_LINE = /"reqId":"([^"]{1,100})"/;

export interface GatewayLoggerOptions {
  level: LogLevel;
  /** Where lines go; stdout when omitted. Tests pass a capturing stream. */
  destination?: DestinationStream;
  registry: PiiValueRegistry;
}

/** The root pino logger: JSON lines, ISO time, every line redacted before it is written. */
export function createRootLogger(options: GatewayLoggerOptions): Logger {
  const { registry } = options;
  return pino(
    {
      level: options.level,
      base: { service: 'gateway' },
      timestamp: pino.stdTimeFunctions.isoTime,
      messageKey: 'msg',
      hooks: {
        streamWrite(line: string): string {
          const reqId = REQ_ID_IN_LINE.exec(line)?.[1];
          return redactLogLine(line, reqId ? registry.get(reqId) : undefined);
        },
      },
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

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

/**
 * Where the gateway's lines go by default (stdout; `fd` for another descriptor). Asynchronous, and
 * lines are gathered up to 4 KB before a write, or at most 100 ms: one write per dozen lines rather
 * than per line (about a tenth of an API request's CPU was that write). pino flushes what is left
 * when the process exits; a process killed outright (SIGKILL) loses at most those 100 ms of lines.
 */
export function gatewayLogDestination(fd = 1): DestinationStream {
  return pino.destination({ dest: fd, sync: false, minLength: 4096, periodicFlush: 100 });
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
    options.destination ?? gatewayLogDestination(),
  );
}

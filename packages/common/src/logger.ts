/** Structured logging with pino; one child logger per service and component. */
import pino, { Logger } from 'pino';

export type { Logger };

/**
 * Creates the root logger of a service. Logs go to stderr as JSON lines so stdout stays
 * free for a CLI's output.
 */
export function createLogger(service: string, level: string = process.env.WEFT_LOG_LEVEL ?? 'info'): Logger {
  return pino({ name: service, level, base: { service, pid: process.pid } }, pino.destination(2));
}

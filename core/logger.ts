import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, name = 'kho'): Logger {
  return pino({
    name,
    level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ['req.headers.authorization', 'req.headers["x-ckan-api-key"]', 'password', '*.password'], censor: '***' },
  });
}

import { pino, type Logger } from 'pino';

export type { Logger };

/** `toStderr`: for command-line tools, whose standard output is their answer (a token, a list). */
export function createLogger(level: string, name = 'kho', options: { toStderr?: boolean } = {}): Logger {
  return pino(
    {
      name,
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: ['req.headers.authorization', 'req.headers["x-ckan-api-key"]', 'password', '*.password'], censor: '***' },
    },
    options.toStderr ? pino.destination({ fd: 2, sync: true }) : undefined,
  );
}

// JSON logs (pino). Factories only: main.ts decides the destination and level.
import { pino } from 'pino';

export type Logger = pino.Logger;

export interface LoggerOptions {
  readonly level?: string;
  /** Where lines go; defaults to stdout. */
  readonly destination?: NodeJS.WritableStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? 'info';
  return pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? process.stdout,
  );
}

/** A logger that writes nothing: tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

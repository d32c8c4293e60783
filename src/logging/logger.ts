import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { redact, redactText } from './redact.js';

export type { Logger } from 'pino';

export interface LoggerSettings {
  level?: string;
  /** Secret values to mask wherever they appear (config secrets, stored credentials). */
  secrets?: readonly string[];
  /** Where lines go; stdout by default. Tests pass a capturing stream. */
  destination?: DestinationStream;
}

/** Secrets learned after start (stored settings, tokens), masked by every logger. */
const extraSecrets = new Set<string>();

/** Adds a value that every logger created here must never print. */
export function registerSecret(value: string | undefined | null): void {
  if (value && value.length >= 4) extraSecrets.add(value);
}

/**
 * A pino logger that redacts secrets everywhere: in merged objects, in messages, in errors and in
 * Fastify's request/response serialisations.
 */
export function createLogger(settings: LoggerSettings = {}): Logger {
  const base = settings.secrets ?? [];
  const all = (): string[] => [...base, ...extraSecrets];
  const options: LoggerOptions = {
    level: settings.level ?? 'info',
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      log: (object) => redact(object, all()) as Record<string, unknown>,
    },
    hooks: {
      logMethod(args, method) {
        const cleaned = args.map((a) => (typeof a === 'string' ? redactText(a, all()) : a));
        return method.apply(this, cleaned as Parameters<typeof method>);
      },
    },
    serializers: {
      err: (e: unknown) => redact(e, all()),
      error: (e: unknown) => redact(e, all()),
    },
  };
  return settings.destination ? pino(options, settings.destination) : pino(options);
}

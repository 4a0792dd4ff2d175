import { pino } from "pino";
import { env } from "./env.ts";

function configuredLevel(): string {
  try {
    return env().LOG_LEVEL;
  } catch {
    // A bad environment is reported by the entry point with its own clear message.
    return "info";
  }
}

/** One JSON line per event, to stdout. */
export const logger = pino({
  level: configuredLevel(),
  base: undefined,
  timestamp: pino.stdTimeFunctions.isoTime,
});

export type Logger = typeof logger;

/**
 * An error as a log field without what a failed query carries: the driver's own error (its cause)
 * with its stack, and the message cut short, since a query's parameters can be whole payloads.
 */
export function loggableError(error: unknown): { type: string; message: string; stack?: string | undefined } {
  let inner: unknown = error;
  while (inner instanceof Error && inner.cause instanceof Error) inner = inner.cause;
  if (!(inner instanceof Error)) return { type: typeof inner, message: String(inner).slice(0, 500) };
  return { type: inner.name, message: inner.message.slice(0, 500), stack: inner.stack?.slice(0, 2000) };
}

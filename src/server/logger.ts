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

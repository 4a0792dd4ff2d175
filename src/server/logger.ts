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

/**
 * One JSON line per event, to stdout (or `destination`). Every error logged under `err` or `error`
 * goes through loggableError, so no log line carries a query's parameters.
 */
export function createLogger(destination?: pino.DestinationStream) {
  const serialize = (value: unknown) => (value instanceof Error ? loggableError(value) : value);
  const options = {
    level: configuredLevel(),
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: { err: serialize, error: serialize },
  };
  return destination ? pino(options, destination) : pino(options);
}

export const logger = createLogger();

export type Logger = typeof logger;

export interface LoggableError {
  type: string;
  message: string;
  stack?: string | undefined;
  /** SQLSTATE, constraint, table and column of a database error (never its detail: key values). */
  code?: string;
  constraint?: string;
  table?: string;
  column?: string;
}

/**
 * An error as a log field without what a failed query carries. A query error's message and stack
 * hold its parameters ("params: …", whole payloads or a freshly rotated secret), so the driver's
 * own error (the innermost cause) is logged instead; of a database error only its SQLSTATE, names
 * and message, with the quoted values of data errors (class 22: "invalid input … \"value\"") masked.
 */
export function loggableError(error: unknown): LoggableError {
  let inner: unknown = error;
  while (inner instanceof Error && inner.cause instanceof Error) inner = inner.cause;
  if (!(inner instanceof Error))
    return { type: typeof inner, message: withoutParams(String(inner)).slice(0, 500) };
  const out: LoggableError = {
    type: inner.name,
    message: withoutParams(inner.message).slice(0, 500),
    stack: withoutParams(inner.stack ?? "").slice(0, 2000) || undefined,
  };
  const db = inner as Error & Partial<Record<"code" | "constraint" | "table" | "column", unknown>>;
  if (typeof db.code === "string" && /^[0-9A-Z]{5}$/.test(db.code)) {
    out.code = db.code;
    for (const key of ["constraint", "table", "column"] as const) {
      const value = db[key];
      if (typeof value === "string") out[key] = value;
    }
    if (db.code.startsWith("22")) {
      out.message = out.message.replace(/"[^"]*"/g, '"…"');
      out.stack = out.stack?.replace(/"[^"]*"/g, '"…"');
    }
  }
  return out;
}

function withoutParams(text: string): string {
  const at = text.search(/\n\s*params:/);
  return at < 0 ? text : `${text.slice(0, at)}\n(parameters not logged)`;
}

// The closed set of failures a caller can see. Mapped to HTTP in one place (server/http/errors.ts)
// and to exit codes in the CLI; anything else is an internal error whose message never leaves.
export const ERROR_CODES = [
  "bad_request",
  "unauthorized",
  "payment_required",
  "forbidden",
  "not_found",
  "conflict",
  "payload_too_large",
  "unsupported_media_type",
  "rate_limited",
  "unavailable",
  "internal",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export class AppError extends Error {
  override name = "AppError";
  readonly code: ErrorCode;
  /** Extra, user-safe facts (the bad field, the limit hit, seconds to wait). */
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.code = code;
    this.details = details;
  }
}

export const notFound = (what: string) => new AppError("not_found", `${what} not found`);
export const badRequest = (message: string, details?: Record<string, unknown>) =>
  new AppError("bad_request", message, details);

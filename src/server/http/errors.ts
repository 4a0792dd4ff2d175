import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ZodError } from "zod";
import { AppError, type ErrorCode } from "../../core/errors.ts";
import { DatabaseUnavailableError, isConnectionFailure } from "../db/errors.ts";

/** The one mapping from error codes to HTTP statuses. */
export function httpStatus(code: ErrorCode): ContentfulStatusCode {
  switch (code) {
    case "bad_request":
      return 400;
    case "unauthorized":
      return 401;
    case "payment_required":
      return 402;
    case "forbidden":
      return 403;
    case "not_found":
      return 404;
    case "conflict":
      return 409;
    case "payload_too_large":
      return 413;
    case "unsupported_media_type":
      return 415;
    case "rate_limited":
      return 429;
    case "unavailable":
      return 503;
    case "internal":
      return 500;
  }
}

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  requestId: string;
  details?: Record<string, unknown>;
}

/** Turns anything thrown into a user-safe body; unexpected errors keep their message to the log. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof HTTPException) return fromHttpException(error);
  if (error instanceof ZodError) {
    const issue = error.issues[0];
    const field = issue?.path.join(".") || "body";
    return new AppError("bad_request", `${field}: ${issue?.message ?? "invalid"}`, { field });
  }
  if (error instanceof DatabaseUnavailableError || isConnectionFailure(error)) {
    return new AppError("unavailable", "the database is unavailable; retry shortly");
  }
  return new AppError("internal", "internal error");
}

// Hono's own rejections (malformed JSON body, wrong content type): their messages are its own, safe.
const HTTP_EXCEPTION_CODES: Partial<Record<number, ErrorCode>> = {
  400: "bad_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  413: "payload_too_large",
  415: "unsupported_media_type",
};

function fromHttpException(error: HTTPException): AppError {
  const code = HTTP_EXCEPTION_CODES[error.status];
  if (!code) return new AppError("internal", "internal error");
  return new AppError(code, error.message || code, code === "bad_request" ? { field: "body" } : undefined);
}

import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit as honoBodyLimit } from "hono/body-limit";
import { AppError } from "../../../core/errors.ts";
import { formatBytes } from "../../../core/format-bytes.ts";

// Request bodies are capped per route before anything reads them. A declared Content-Length over
// the cap is refused without reading a byte (Node's parser never delivers more than it declares);
// a chunked body is counted as it is read and refused at the first chunk past the cap. Either way
// the answer is 413 with `Connection: close`, so the unread rest is not drained off the wire.

export const KiB = 1024;
export const MiB = 1024 * KiB;

const tooLarge = (c: Context, limitBytes: number) => {
  c.header("connection", "close");
  return new AppError("payload_too_large", `request bodies here are limited to ${formatBytes(limitBytes)}`, {
    limitBytes,
  });
};

function declaredLength(c: Context): number | undefined {
  const header = c.req.header("content-length");
  if (header === undefined || c.req.header("transfer-encoding") !== undefined) return undefined;
  const length = Number(header);
  return Number.isSafeInteger(length) && length >= 0 ? length : undefined;
}

/**
 * Caps the body at `maxBytes` and holds it in memory for the handler (hono/body-limit: declared
 * lengths are checked up front, chunked bodies counted while buffered).
 */
export function bodyLimit(maxBytes: number): MiddlewareHandler {
  return honoBodyLimit({
    maxSize: maxBytes,
    onError: (c) => {
      throw tooLarge(c, maxBytes);
    },
  });
}

/**
 * Refuses a declared Content-Length over `maxBytes` and reads nothing: for routes that authenticate
 * first and read (under `bodyLimit`) only for a known caller.
 */
export function declaredBodyLimit(maxBytes: number): MiddlewareHandler {
  return async (c, next) => {
    const declared = declaredLength(c);
    if (declared !== undefined && declared > maxBytes) throw tooLarge(c, maxBytes);
    await next();
  };
}

/** Bytes of request bodies held at once, shared by the routes that take one from it. */
export class ByteBudget {
  readonly totalBytes: number;
  #available: number;

  constructor(totalBytes: number) {
    this.totalBytes = totalBytes;
    this.#available = totalBytes;
  }

  get availableBytes(): number {
    return this.#available;
  }

  /** Takes `bytes` if that many are free; the caller gives them back with `release`. */
  tryTake(bytes: number): boolean {
    if (bytes > this.#available) return false;
    this.#available -= bytes;
    return true;
  }

  release(bytes: number): void {
    this.#available = Math.min(this.totalBytes, this.#available + bytes);
  }
}

const RETRY_BUSY_SECONDS = 5;

/**
 * For unauthenticated routes that must buffer a whole body (webhooks: the signature covers the raw
 * bytes). A request takes its declared length, or the whole cap when chunked, out of `budget` for as
 * long as it is handled; when the budget cannot cover it the answer is 503 with Retry-After, before
 * a byte of the body is read. The route counts the bytes it reads against `maxBytes` itself.
 */
export function budgetedBody(budget: ByteBudget, maxBytes: number): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.method === "GET" || c.req.method === "HEAD") return next();
    const declared = declaredLength(c);
    if (declared !== undefined && declared > maxBytes) throw tooLarge(c, maxBytes);
    const bytes = declared ?? maxBytes;
    if (!budget.tryTake(bytes)) {
      c.header("retry-after", String(RETRY_BUSY_SECONDS));
      c.header("connection", "close");
      throw new AppError("unavailable", "too many request bodies in flight; retry shortly", {
        retryAfterSeconds: RETRY_BUSY_SECONDS,
      });
    }
    try {
      await next();
    } finally {
      budget.release(bytes);
    }
  };
}

import { type AnyColumn, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import { AppError } from "../../core/errors.ts";

// Opaque cursors for keyset pagination: the sort key of the last item, base64url-encoded JSON.
// Callers treat them as strings; a tampered cursor is a 400, never a query error.

export function encodeCursor(position: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(position)).toString("base64url");
}

export function decodeCursor<S extends z.ZodType>(
  cursor: string | undefined,
  schema: S,
): z.infer<S> | undefined {
  if (cursor === undefined) return undefined;
  try {
    return schema.parse(JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")));
  } catch {
    throw new AppError("bad_request", "cursor: invalid cursor", { field: "cursor" });
  }
}

/** The common keyset position: a timestamp (to the microsecond) and the row id that breaks ties. */
export const timeIdCursor = z.object({ t: z.iso.datetime({ offset: true, precision: 6 }), id: z.uuid() });

/** A timestamptz column as exact ISO text: JavaScript Dates drop microseconds, cursors must not. */
export function exactTime(column: AnyColumn): SQL<string> {
  return sql<string>`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

/** Rows after the cursor in a `(time DESC, id DESC)` order. */
export function olderThan(time: AnyColumn, id: AnyColumn, cursor: { t: string; id: string }): SQL {
  return sql`(${time}, ${id}) < (${cursor.t}::timestamptz, ${cursor.id}::uuid)`;
}

/** Splits a `limit + 1` fetch into the page and the next cursor. */
export function pageOf<T>(
  rows: T[],
  limit: number,
  cursorOf: (last: T) => string,
): { items: T[]; nextCursor: string | null } {
  if (rows.length <= limit) return { items: rows, nextCursor: null };
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: last === undefined ? null : cursorOf(last) };
}

import { Writable } from "node:stream";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../src/server/logger.ts";
import { useTestDatabase } from "../helpers/db.ts";

// A failed query's error carries its parameters (drizzle: "params: …"; a data error quotes the
// value it refused). Logged as is, a payload or a freshly rotated secret would land in the logs.

const db = useTestDatabase();
const SECRET = "whsec_rotated_0123456789abcdef";

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { log: createLogger(stream), text: () => lines.join("") };
}

async function failure(query: ReturnType<typeof sql>): Promise<unknown> {
  try {
    await db().db.execute(query);
  } catch (error) {
    return error;
  }
  throw new Error("the query was expected to fail");
}

describe("logging a failed query", () => {
  it("keeps the parameters of a query out of the log line", async () => {
    const error = await failure(sql`SELECT ${SECRET}::uuid AS id`);
    // The error itself carries the secret; the log line must not.
    expect(String((error as Error).message) + String((error as Error).stack)).toContain(SECRET);
    const { log, text } = capture();
    log.error({ err: error, requestId: "r1" }, "unhandled error");
    expect(text()).not.toContain(SECRET);
    const line = JSON.parse(text()) as { err: { code?: string; message: string } };
    expect(line.err.code).toBe("22P02");
    expect(line.err.message).toContain("invalid input syntax for type uuid");
  });

  it("keeps a unique violation's key values out but names the constraint", async () => {
    await db().db.execute(sql`CREATE TABLE IF NOT EXISTS log_probe (secret text PRIMARY KEY)`);
    await db().db.execute(sql`INSERT INTO log_probe VALUES (${SECRET})`);
    const error = await failure(sql`INSERT INTO log_probe VALUES (${SECRET})`);
    const { log, text } = capture();
    log.warn({ error }, "delivery failed to apply");
    expect(text()).not.toContain(SECRET);
    expect(text()).toContain("23505");
    expect(text()).toContain("log_probe_pkey");
  });
});

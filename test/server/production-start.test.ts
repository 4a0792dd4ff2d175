import { eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/server/db/client.ts";
import { users } from "../../src/server/db/schema/auth.ts";
import { loadEnv } from "../../src/server/env.ts";
import { DEMO_CREDENTIALS } from "../../src/server/seed/index.ts";
import { type RunningServer, startServer } from "../../src/server/server.ts";

// The demo account's password is in the README: a production server on an empty embedded database
// must start empty, not with that account.

let server: RunningServer | undefined;
afterAll(async () => {
  await server?.stop();
  await server?.handle.close();
});

describe("start-up in production", () => {
  it("does not seed the demo account into an empty embedded database", async () => {
    const handle = await openDatabase({ memory: true });
    const env = loadEnv({
      NODE_ENV: "production",
      PORT: "0",
      LOG_LEVEL: "silent",
      BETTER_AUTH_SECRET: "production-secret-production-secret-0123",
      SENTINEL_WORKERS: "false",
    });
    server = await startServer(env, { handle });
    const demo = await handle.db
      .select({ id: users.id })
      .from(users)
      .where(eq(users.email, DEMO_CREDENTIALS.owner.email));
    expect(demo).toEqual([]);
  }, 120_000);
});

import { inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatabaseHandle, openDatabase } from "../../src/server/db/client.ts";
import { webhookDeliveries } from "../../src/server/db/schema/index.ts";
import { type RunningServer, startServer } from "../../src/server/server.ts";
import { adminQuery, TEST_ENGINE, useTestDatabase } from "../helpers/db.ts";
import {
  createInstallation,
  createOrg,
  createRepository,
  postDelivery,
  pushPayload,
  uniqueId,
  webhookServerEnv,
} from "./helpers.ts";

// The database goes away in the middle of a burst of deliveries (every server connection of the
// test database is terminated). Whatever was answered 2xx must be in the database afterwards;
// the rest must have been refused (503), so GitHub marks them failed and they can be redelivered.

const database = useTestDatabase();
let server: RunningServer;
// The server gets a pool of its own: a pooled client killed mid-checkout may never be released
// (a BEGIN that fails is outside drizzle's release path), and closing the shared handle would
// then wait for it forever. DROP DATABASE … WITH (FORCE) cleans up after it.
let serverHandle: DatabaseHandle;

beforeAll(async () => {
  const env = webhookServerEnv();
  const url = database().url;
  serverHandle = url ? await openDatabase({ url, max: 10 }) : database();
  server = await startServer(env, { handle: serverHandle });
});

afterAll(async () => {
  await server?.stop();
  if (serverHandle !== database())
    await Promise.race([serverHandle.close(), new Promise((r) => setTimeout(r, 2000))]);
});

describe("database stopped mid-load", () => {
  it("every delivery answered 2xx is stored; the others were refused with 503", async () => {
    const db = database().db;
    const org = await createOrg(db);
    const installationId = uniqueId();
    const githubId = uniqueId();
    await createInstallation(db, installationId, org.id);
    await createRepository(db, org.id, installationId, githubId);

    const total = 120;
    const answers: { deliveryId: string; status: number }[] = [];
    let sent = 0;
    const cut = async () => {
      while (sent < total / 3) await new Promise((r) => setTimeout(r, 5));
      if (TEST_ENGINE === "postgres") {
        const name = new URL(database().url ?? "").pathname.slice(1);
        await adminQuery(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}' AND pid <> pg_backend_pid()`,
        );
      }
    };
    const worker = async () => {
      while (sent < total) {
        sent++;
        const res = await postDelivery(
          server.url,
          "push",
          pushPayload({ installationId, repoGithubId: githubId, commits: 3 }),
        );
        answers.push({ deliveryId: res.deliveryId, status: res.status });
      }
    };
    await Promise.all([cut(), ...Array.from({ length: 8 }, worker)]);

    const statuses = new Set(answers.map((a) => a.status));
    for (const status of statuses) expect([202, 503]).toContain(status);
    const acknowledged = answers.filter((a) => a.status === 202).map((a) => a.deliveryId);
    expect(acknowledged.length).toBeGreaterThan(0);
    const stored = await db
      .select({ deliveryId: webhookDeliveries.deliveryId })
      .from(webhookDeliveries)
      .where(inArray(webhookDeliveries.deliveryId, acknowledged));
    expect(stored.map((s) => s.deliveryId).sort()).toEqual([...acknowledged].sort());
  });
});

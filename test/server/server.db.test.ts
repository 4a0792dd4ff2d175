import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadEnv } from "../../src/server/env.ts";
import { type RunningServer, startServer } from "../../src/server/server.ts";
import { useTestDatabase } from "../helpers/db.ts";

const database = useTestDatabase();
let server: RunningServer;

beforeAll(async () => {
  const env = loadEnv({ PORT: "0", LOG_LEVEL: "silent", SENTINEL_SEED_ON_START: "false" });
  server = await startServer(env, { handle: database() });
});

afterAll(async () => {
  await server?.stop();
});

describe("the running server", () => {
  it("answers /api/health with the engine and the applied migration", async () => {
    const response = await fetch(`${server.url}/api/health`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      status: string;
      database: { engine: string; migration: string };
    };
    expect(body.status).toBe("ok");
    expect(body.database.engine).toBe(database().engine);
    expect(body.database.migration).toMatch(/^\d{4}_/);
    expect(response.headers.get("x-request-id")).toBeTruthy();
  });

  it("answers unknown API paths with the shared error shape", async () => {
    const response = await fetch(`${server.url}/api/nope`, { headers: { "x-request-id": "req-123" } });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      code: "not_found",
      message: "no route for GET /api/nope",
      requestId: "req-123",
    });
  });
});

import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import { appliedMigration } from "../../db/migrate.ts";
import type { AppBindings, AppDeps } from "../context.ts";

const healthSchema = z
  .object({
    status: z.enum(["ok", "unavailable"]),
    database: z.object({
      engine: z.enum(["pglite", "postgres"]),
      migration: z.string().nullable(),
    }),
    version: z.string(),
  })
  .openapi("Health");

const route = createRoute({
  method: "get",
  path: "/api/health",
  tags: ["system"],
  summary: "Liveness and database status",
  responses: {
    200: { description: "Serving", content: { "application/json": { schema: healthSchema } } },
    503: { description: "Database unreachable", content: { "application/json": { schema: healthSchema } } },
  },
});

export function registerHealth(app: OpenAPIHono<AppBindings>, deps: AppDeps, version: string): void {
  app.openapi(route, async (c) => {
    const database = { engine: deps.handle.engine, migration: null as string | null };
    try {
      await deps.handle.db.execute(sql`SELECT 1`);
      database.migration = await appliedMigration(deps.handle);
      return c.json({ status: "ok" as const, database, version }, 200);
    } catch {
      return c.json({ status: "unavailable" as const, database, version }, 503);
    }
  });
}

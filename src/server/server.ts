import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { compose, openConfiguredDatabase } from "./composition.ts";
import type { DatabaseHandle } from "./db/client.ts";
import { migrateDatabase } from "./db/migrate.ts";
import type { Env } from "./env.ts";
import { createApp } from "./http/app.ts";
import { startMetricsListener } from "./http/metrics-listener.ts";
import { type Queue, startQueue } from "./jobs/queue.ts";
import { logger } from "./logger.ts";
import { DEMO_CREDENTIALS, isDatabaseEmpty, seedDatabase, startOfUtcWeek } from "./seed/index.ts";
import { registerWorkers } from "./workers/index.ts";

// Kept for src/cli/commands/analyze.ts, which imports it from here; it lives in composition.ts.
export { openConfiguredDatabase };

export interface RunningServer {
  url: string;
  handle: DatabaseHandle;
  queue: Queue;
  migration: string | null;
  /** The separate metrics listener (SENTINEL_METRICS_PORT), or null. */
  metricsUrl: string | null;
  stop(): Promise<void>;
}

/** `npm start`: database, jobs, workers and HTTP, in that order (built by composition.ts); stopped in reverse. */
export async function startServer(
  env: Env,
  options: { handle?: DatabaseHandle } = {},
): Promise<RunningServer> {
  const opened = options.handle
    ? { handle: options.handle, migration: await migrateDatabase(options.handle) }
    : await openConfiguredDatabase(env);
  const { handle, migration } = opened;
  // Demo data (with a known password) only ever goes into an empty embedded database, never a
  // server's, and never in production (loadEnv refuses SENTINEL_SEED_ON_START=true there).
  const seeded =
    env.SENTINEL_SEED_ON_START &&
    env.NODE_ENV !== "production" &&
    handle.engine === "pglite" &&
    (await isDatabaseEmpty(handle.db))
      ? await seedDatabase(handle.db, { anchor: startOfUtcWeek(new Date()) })
      : null;
  const queue = await startQueue(handle, { supervise: true });
  const deps = compose(env, handle, queue);
  if (env.SENTINEL_WORKERS) await registerWorkers(deps);

  const app = createApp(deps);
  const server = serve({ fetch: app.fetch, port: env.PORT, hostname: env.HOST });
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${env.HOST}:${port}`;
  const metrics = await startMetricsListener(env, handle);
  if (seeded) {
    const { email, password } = DEMO_CREDENTIALS.owner;
    logger.info(
      { inserted: seeded.inserted, ms: seeded.ms },
      `seeded demo data: sign in at ${url} as ${email} / ${password}`,
    );
  }

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await metrics?.stop();
      await queue.stop().catch((err: unknown) => logger.warn({ err }, "job queue did not stop cleanly"));
      if (!options.handle) await handle.close();
    })();
    return stopping;
  };
  return { url, handle, queue, migration, metricsUrl: metrics?.url ?? null, stop };
}

import { compose, openConfiguredDatabase } from "./composition.ts";
import { DatabaseUnavailableError } from "./db/client.ts";
import { ConfigError, env } from "./env.ts";
import { startMetricsListener } from "./http/metrics-listener.ts";
import { startQueue } from "./jobs/queue.ts";
import { logger } from "./logger.ts";
import { registerWorkers } from "./workers/index.ts";

// `npm run worker`: the job workers alone, so several processes can share one database.
try {
  const config = env();
  const { handle } = await openConfiguredDatabase(config);
  const queue = await startQueue(handle, { supervise: true });
  await registerWorkers(compose(config, handle, queue));
  // The worker's own counters (job runs, GitHub calls, mirror fetches) are scraped here, if asked for.
  const metrics = await startMetricsListener(config, handle);
  logger.info(
    { database: handle.engine, location: handle.location, metrics: metrics?.url },
    "Sentinel workers started",
  );
  const shutdown = async () => {
    await metrics?.stop();
    await queue.stop();
    await handle.close();
    process.exit(0);
  };
  process.once("SIGINT", shutdown);
  process.once("SIGTERM", shutdown);
} catch (error) {
  if (error instanceof ConfigError || error instanceof DatabaseUnavailableError) {
    process.stderr.write(`sentinel: ${error.message}\n`);
    process.exit(error instanceof ConfigError ? 2 : 1);
  }
  throw error;
}

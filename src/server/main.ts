import { DatabaseUnavailableError } from "./db/client.ts";
import { ConfigError, env } from "./env.ts";
import { logger } from "./logger.ts";
import { startServer } from "./server.ts";

// `npm start`: serve HTTP with the job workers in the same process. Failures a person can fix
// (bad configuration, unreachable database) are one line and a non-zero exit, never a stack trace.
try {
  const config = env();
  const started = performance.now();
  const server = await startServer(config);
  logger.info(
    {
      url: server.url,
      database: server.handle.engine,
      location: server.handle.location,
      migration: server.migration,
      ms: Math.round(performance.now() - started),
    },
    `Sentinel is listening on ${server.url}`,
  );
  const shutdown = (signal: string) => {
    logger.info({ signal }, "shutting down");
    server.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", () => shutdown("SIGINT"));
  process.once("SIGTERM", () => shutdown("SIGTERM"));
} catch (error) {
  if (error instanceof ConfigError || error instanceof DatabaseUnavailableError) {
    process.stderr.write(`sentinel: ${error.message}\n`);
    process.exit(error instanceof ConfigError ? 2 : 1);
  }
  throw error;
}

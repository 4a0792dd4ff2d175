import { type MirrorSource, mirrorSource } from "./attribution/mirror-source.ts";
import { type DatabaseHandle, openDatabase } from "./db/client.ts";
import { migrateDatabase } from "./db/migrate.ts";
import type { Env } from "./env.ts";
import { type GithubApp, githubAppFromEnv, githubWebUrl } from "./github-app/app-client.ts";
import { type JobQueue, type NoQueue, noQueue, type Queue, startQueue } from "./jobs/queue.ts";
import { type Logger, logger } from "./logger.ts";
import { RepositoryMirrors } from "./mirror/repository-mirrors.ts";

// The composition root: the one place that turns the environment into the process's
// infrastructure. `npm start` (server.ts), `npm run worker` (worker.ts) and the CLI commands build
// their dependencies here, once, and hand them to the HTTP app, the workers and the services.

/** The time; a dependency so code handed it can be run at a chosen instant. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export interface Dependencies<Q extends JobQueue = JobQueue> {
  env: Env;
  handle: DatabaseHandle;
  /** The job queue, or noQueue where the process deliberately sends no jobs. */
  queue: Q;
  /** The GitHub App, or null when GITHUB_APP_ID / GITHUB_APP_PRIVATE_KEY are unset. */
  github: GithubApp | null;
  /** The bare git mirrors on this machine (SENTINEL_MIRROR_DIR and its caps). */
  mirrors: RepositoryMirrors;
  /** The mirrors fetched with the App's installation tokens; null without the App. */
  mirrorSource: MirrorSource | null;
  clock: Clock;
  logger: Logger;
}

/** Job handlers need the real queue: they take jobs from it. */
export type WorkerDependencies = Dependencies<Queue>;

/** Opens the database the environment names, migrates it, and returns it. */
export async function openConfiguredDatabase(
  env: Env,
): Promise<{ handle: DatabaseHandle; migration: string | null }> {
  const handle = await openDatabase(
    env.DATABASE_URL
      ? {
          url: env.DATABASE_URL,
          max: env.DATABASE_POOL_SIZE,
          transactionPooling: env.DATABASE_POOL_MODE === "transaction",
        }
      : { dataDir: env.SENTINEL_DATA_DIR },
  );
  try {
    const migration = await migrateDatabase(handle);
    return { handle, migration };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** What the environment alone describes, with no I/O: the GitHub App and the mirror store. */
export function infrastructureFromEnv(env: Env): { github: GithubApp | null; mirrors: RepositoryMirrors } {
  return { github: githubAppFromEnv(env), mirrors: RepositoryMirrors.fromEnv(env) };
}

/** Builds the dependencies of a process on its open database and its queue (or noQueue). */
export function compose<Q extends JobQueue>(env: Env, handle: DatabaseHandle, queue: Q): Dependencies<Q> {
  const { github, mirrors } = infrastructureFromEnv(env);
  return {
    env,
    handle,
    queue,
    github,
    mirrors,
    mirrorSource: github ? mirrorSource(handle.db, github, mirrors, githubWebUrl(env.GITHUB_API_URL)) : null,
    clock: systemClock,
    logger,
  };
}

export interface Closable {
  /** Stops the queue, then closes the database. */
  close(): Promise<void>;
}

/**
 * A CLI command's dependencies on the configured database. `queue: "send"` starts a queue without
 * maintenance, for a command that enqueues work for the server's workers; `"none"` gives noQueue:
 * what the command marks stale is rolled up by the server's `metrics-sweep`.
 */
export async function openCliDependencies(
  env: Env,
  options: { queue: "send" },
): Promise<Dependencies<Queue> & Closable>;
export async function openCliDependencies(
  env: Env,
  options: { queue: "none" },
): Promise<Dependencies<NoQueue> & Closable>;
export async function openCliDependencies(
  env: Env,
  options: { queue: "send" | "none" },
): Promise<Dependencies & Closable> {
  const { handle } = await openConfiguredDatabase(env);
  let queue: JobQueue;
  try {
    queue = options.queue === "send" ? await startQueue(handle, { supervise: false }) : noQueue;
  } catch (error) {
    await handle.close();
    throw error;
  }
  return {
    ...compose(env, handle, queue),
    async close() {
      try {
        if (queue.kind === "pg-boss") await queue.stop();
      } finally {
        await handle.close();
      }
    },
  };
}

import type { RateLimiter } from "../auth/rate-limit.ts";
import type { DatabaseHandle } from "../db/client.ts";
import type { Env } from "../env.ts";
import type { GithubApp } from "../github-app/app-client.ts";
import type { JobQueue } from "../jobs/queue.ts";

/** What the HTTP layer is built from: the composition root's dependencies (composition.ts), or a test's. */
export interface AppDeps {
  handle: DatabaseHandle;
  env: Env;
  /** The job queue, or noQueue for an app that sends no jobs (its GitHub webhooks answer 503). */
  queue: JobQueue;
  /** The GitHub App, or null without its credentials. */
  github: GithubApp | null;
  /** Request and sign-in rate limits; in this process's memory unless given. */
  rateLimiter?: RateLimiter;
}

export interface AppVariables {
  requestId: string;
  /** The client's address (client-address.ts): the socket's peer unless a trusted proxy says otherwise. */
  clientAddress: string;
}

export interface AppBindings {
  Variables: AppVariables;
}

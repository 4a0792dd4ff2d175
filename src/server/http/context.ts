import type { RateLimiter } from "../auth/rate-limit.ts";
import type { DatabaseHandle } from "../db/client.ts";
import type { Env } from "../env.ts";
import type { Queue } from "../jobs/queue.ts";

/** What the HTTP layer is built from, wired in main.ts (and in tests). */
export interface AppDeps {
  handle: DatabaseHandle;
  env: Env;
  /** Absent when jobs are not started (some tests). */
  queue?: Queue;
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

import type { DatabaseHandle } from "../db/client.ts";
import type { Env } from "../env.ts";
import type { Queue } from "../jobs/queue.ts";

/** What the HTTP layer is built from, wired in main.ts (and in tests). */
export interface AppDeps {
  handle: DatabaseHandle;
  env: Env;
  /** Absent when jobs are not started (some tests). */
  queue?: Queue;
}

export interface AppVariables {
  requestId: string;
}

export interface AppBindings {
  Variables: AppVariables;
}

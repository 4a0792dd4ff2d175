import { registerAttributionWorkers } from "../attribution/workers.ts";
import type { DatabaseHandle } from "../db/client.ts";
import type { Env } from "../env.ts";
import { registerGithubWorkers } from "../jobs/github-workers.ts";
import type { Queue } from "../jobs/queue.ts";
import type { WorkerRegistration } from "../jobs/workers.ts";
import { registerIntegrationWorkers } from "./integrations.ts";
import { registerMetricsWorkers } from "./metrics.ts";
import { registerTrainModelWorker } from "./train-model.ts";

// Every domain's workers, started by `npm start` (in-process) and `npm run worker` (alone). Job
// handlers live here or in their domain (attribution/workers.ts), apart from the definitions.
const registrations: WorkerRegistration[] = [
  registerAttributionWorkers,
  registerTrainModelWorker,
  registerMetricsWorkers,
  registerGithubWorkers,
  registerIntegrationWorkers,
];

export async function registerWorkers(queue: Queue, handle: DatabaseHandle, env: Env): Promise<void> {
  for (const register of registrations) await register(queue, handle, env);
}

import type { WorkerDependencies } from "../composition.ts";
import { registerAttributionWorkers } from "./attribution.ts";
import { registerCodeEventPartitionWorkers } from "./code-event-partitions.ts";
import { registerGithubWorkers } from "./github.ts";
import { registerIntegrationWorkers } from "./integrations.ts";
import { registerMetricsWorkers } from "./metrics.ts";
import type { WorkerRegistration } from "./registration.ts";
import { registerSurvivalWorkers } from "./survival.ts";
import { registerTrainModelWorker } from "./train-model.ts";

// Every domain's workers, started by `npm start` (in-process) and `npm run worker` (alone), on the
// dependencies composition.ts built. Job handlers live here, apart from the definitions (jobs/).
const registrations: WorkerRegistration[] = [
  registerAttributionWorkers,
  registerTrainModelWorker,
  registerMetricsWorkers,
  registerSurvivalWorkers,
  registerGithubWorkers,
  registerIntegrationWorkers,
  registerCodeEventPartitionWorkers,
];

export async function registerWorkers(deps: WorkerDependencies): Promise<void> {
  for (const register of registrations) await register(deps);
}

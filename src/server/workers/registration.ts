import type { WorkerDependencies } from "../composition.ts";

/** Registers one domain's job handlers on the process's dependencies; workers/index.ts runs them all. */
export type WorkerRegistration = (deps: WorkerDependencies) => Promise<void>;

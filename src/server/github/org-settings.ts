// Temporary: backfill.ts still imports it from here; the query lives in the settings service.
export { orgProductionEnvironments } from "../services/metrics/settings.ts";

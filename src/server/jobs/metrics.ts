// Temporary: attribution/workers.ts imports scheduleRollUp from here. It lives with the other
// roll-up requests in services/metrics/schedule-roll-up.ts; remove this file once that import moves.
export { scheduleRollUp } from "../services/metrics/schedule-roll-up.ts";

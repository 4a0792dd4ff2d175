import { ensureDashboardBuilt } from "./dashboard-build.ts";

// `npm start`: build the dashboard when its sources are newer than the last build (or there is no
// build), then run the server. A fresh clone therefore needs only `npm install && npm start`.
if (!ensureDashboardBuilt()) {
  process.stderr.write("sentinel: the dashboard build failed (see above); the API starts anyway.\n");
}

await import("../src/server/main.ts");

import { pathToFileURL } from "node:url";
import { ensureDashboardBuilt } from "./dashboard-build.ts";
import { ensureServerBundled, SERVER_BUNDLE } from "./server-build.ts";

// `npm start`: build the dashboard and bundle the server when their sources are newer than the last
// build (or there is none), then run the server. A fresh clone needs only `npm install && npm start`.
if (!ensureDashboardBuilt()) {
  process.stderr.write("sentinel: the dashboard build failed (see above); the API starts anyway.\n");
}

if (await ensureServerBundled()) {
  process.setSourceMapsEnabled(true);
  await import(pathToFileURL(SERVER_BUNDLE).href);
} else {
  await import("../src/server/main.ts");
}

// The layer boundaries, checked by `npm run lint` (issue #14). Type-only imports count: a layer
// that needs another's types depends on it.

const any = (patterns) => patterns.join("|");

/** A layer folder: src/core, src/git, src/server/services, ... (folders below them are one layer's parts). */
const LAYER = "^src/(server/)?[^/]+$";

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "core-is-pure",
      comment: "src/core holds the shared, pure rules: it depends on no server, CLI or dashboard code.",
      severity: "error",
      from: { path: "^src/core/" },
      to: { path: "^src/(server|cli|web)/" },
    },
    {
      name: "server-not-cli",
      comment: "The CLI drives the server's services, never the other way round.",
      severity: "error",
      from: { path: "^src/server/" },
      to: { path: "^src/cli/" },
    },
    {
      name: "services-not-http",
      comment: "Services are called alike by routes, webhooks, jobs and the CLI: they know nothing of HTTP.",
      severity: "error",
      from: { path: "^src/server/services/" },
      to: { path: "^src/server/http/" },
    },
    {
      name: "seed-only-from-start-up",
      comment:
        "Demo data is written by start-up and `sentinel db seed` only; production code never reads it.",
      severity: "error",
      from: {
        pathNot: any([
          "^scripts/",
          "^src/server/(main|server)\\.ts$",
          "^src/server/seed/",
          "^src/cli/commands/db-seed\\.ts$",
        ]),
      },
      to: { path: "^src/server/seed/" },
    },
    {
      name: "queries-in-services",
      comment:
        "Tables are read and written in services (and by the auth adapter and the seed); everything else calls a service.",
      severity: "error",
      from: {
        path: "^src/",
        pathNot: "^src/server/(services|db|auth|seed)/",
      },
      to: { path: "^src/server/db/schema/" },
    },
    {
      name: "no-folder-cycles",
      comment:
        "The layers (src/*, src/server/*) depend one way; a cycle between two means one holds the other's code.",
      severity: "error",
      scope: "folder",
      from: { path: LAYER },
      to: { path: LAYER, circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
  },
};

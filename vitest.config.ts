import { defineConfig } from "vitest/config";

// Every database test (`*.db.test.ts`) runs twice: on embedded PGlite and on the PostgreSQL
// server. Pure tests run once. Browser tests (`test/e2e`) have their own project.
const dbTests = ["test/**/*.db.test.ts"];
// Tests of a PostgreSQL server deployment (several processes, PgBouncer): the postgres project only.
const serverOnlyTests = ["test/**/*.postgres.test.ts"];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/**/*.test.ts"],
          exclude: [...dbTests, ...serverOnlyTests, "test/e2e/**"],
        },
      },
      {
        test: {
          name: "pglite",
          include: dbTests,
          env: { SENTINEL_TEST_ENGINE: "pglite" },
        },
      },
      {
        test: {
          name: "postgres",
          include: [...dbTests, ...serverOnlyTests],
          env: { SENTINEL_TEST_ENGINE: "postgres" },
          globalSetup: ["test/helpers/postgres-global-setup.ts"],
        },
      },
      {
        // The dashboard in headless Chromium, once, against a seeded embedded database.
        // A page under load can take more than vitest's default 1 s poll to settle.
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          expect: { poll: { timeout: 10_000 } },
        },
      },
    ],
  },
});

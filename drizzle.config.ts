import { mkdirSync } from "node:fs";
import { defineConfig } from "drizzle-kit";

// Same rule as the server: DATABASE_URL means a PostgreSQL server, otherwise the embedded PGlite.
const url = process.env.DATABASE_URL;
const dataDir = process.env.SENTINEL_DATA_DIR || ".sentinel";
if (!url) mkdirSync(dataDir, { recursive: true });

export default defineConfig({
  dialect: "postgresql",
  schema: "./src/server/db/schema/index.ts",
  out: "./drizzle",
  casing: "snake_case",
  strict: true,
  verbose: false,
  ...(url ? { dbCredentials: { url } } : { driver: "pglite", dbCredentials: { url: `${dataDir}/pgdata` } }),
});

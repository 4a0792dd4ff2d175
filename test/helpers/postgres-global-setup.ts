import type { TestProject } from "vitest/node";
import { openDatabase } from "../../src/server/db/client.ts";
import { migrateDatabase } from "../../src/server/db/migrate.ts";
import { adminQuery, serverUrl } from "./db.ts";

declare module "vitest" {
  export interface ProvidedContext {
    templateDatabase: string;
  }
}

// Builds the migrated template every server test database is cloned from (CREATE DATABASE …
// TEMPLATE is far faster than migrating each one). Named per run, so parallel runs don't collide.
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const template = `sentinel_template_${process.pid}`;
  await adminQuery(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
  await adminQuery(`CREATE DATABASE ${template}`);
  const handle = await openDatabase({ url: serverUrl(template), max: 1 });
  try {
    await migrateDatabase(handle);
  } finally {
    await handle.close();
  }
  project.provide("templateDatabase", template);
  return async () => {
    await adminQuery(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
  };
}

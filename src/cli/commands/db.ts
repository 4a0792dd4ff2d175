import type { Command } from "commander";
import { openConfiguredDatabase } from "../../server/composition.ts";
import { env } from "../../server/env.ts";
import { registerDbSeedCommand } from "./db-seed.ts";

export function registerDbCommands(program: Command): void {
  const db = program
    .command("db")
    .description("Manage the database named by DATABASE_URL (or the embedded one under SENTINEL_DATA_DIR)");

  db.command("migrate")
    .description("Apply pending migrations from drizzle/")
    .action(async () => {
      const { handle, migration } = await openConfiguredDatabase(env());
      await handle.close();
      process.stdout.write(
        `migrated ${handle.engine} database at ${handle.location}: ${migration ?? "none"}\n`,
      );
    });

  registerDbSeedCommand(db);
}

import type { Command } from "commander";
import { openConfiguredDatabase } from "../../server/composition.ts";
import { env } from "../../server/env.ts";
import {
  countRows,
  DEMO_CREDENTIALS,
  SEEDED_TABLES,
  seedDatabase,
  startOfUtcWeek,
} from "../../server/seed/index.ts";
import { UsageError } from "../exit.ts";

function parseAnchor(value: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw new UsageError(`--anchor: not a date: ${value}`);
  return date;
}

/** `sentinel db seed`: demo organizations and ninety days of history; a second run adds nothing. */
export function registerDbSeedCommand(db: Command): void {
  db.command("seed")
    .description("Add the demo organizations (acme, globex) with 90 days of history; skips any that exist")
    .option("--anchor <date>", "end of the generated history (ISO 8601); default: this week's Monday, UTC")
    .option("--seed <text>", "random seed; the same seed and anchor give the same rows")
    .action(async (options: { anchor?: string; seed?: string }) => {
      const anchor = options.anchor ? parseAnchor(options.anchor) : startOfUtcWeek(new Date());
      const { handle } = await openConfiguredDatabase(env());
      try {
        const result = await seedDatabase(handle.db, {
          anchor,
          ...(options.seed ? { seed: options.seed } : {}),
        });
        const totals = await countRows(handle.db);
        const seeded =
          result.seededOrgs.length > 0 ? `seeded ${result.seededOrgs.join(", ")}` : "nothing to seed";
        const skipped =
          result.skippedOrgs.length > 0 ? ` (already present: ${result.skippedOrgs.join(", ")})` : "";
        const lines = [
          `${seeded}${skipped} in the ${handle.engine} database at ${handle.location}, ${result.ms} ms`,
          `${"table".padEnd(24)}${"inserted".padStart(10)}${"total".padStart(10)}`,
          ...SEEDED_TABLES.map(
            (t) =>
              `${t.padEnd(24)}${String(result.inserted[t]).padStart(10)}${String(totals[t]).padStart(10)}`,
          ),
        ];
        if (result.seededOrgs.includes("acme")) {
          const { owner } = DEMO_CREDENTIALS;
          lines.push(`sign in as ${owner.email} / ${owner.password}`);
        }
        process.stdout.write(`${lines.join("\n")}\n`);
      } finally {
        await handle.close();
      }
    });
}

import { Command, CommanderError } from "commander";
import { AppError } from "../core/errors.ts";
import { SENTINEL_VERSION } from "../core/version.ts";
import { DatabaseUnavailableError } from "../server/db/errors.ts";
import { ConfigError } from "../server/env.ts";
import { EXIT, UsageError } from "./exit.ts";

const program = new Command()
  .name("sentinel")
  .description(
    "How much of your code AI writes, where it lands, how risky it is, and whether it breaks production.",
  )
  .version(SENTINEL_VERSION)
  .showHelpAfterError("(run with --help for usage)")
  .exitOverride();

// Each command's module is loaded only when that command runs: `analyze` must not pay for the
// server, the database drivers and the job queue. Help without a command loads them all.
const COMMANDS: Record<string, () => Promise<(program: Command) => void>> = {
  serve: async () => (await import("./commands/serve.ts")).registerServeCommand,
  db: async () => (await import("./commands/db.ts")).registerDbCommands,
  installations: async () => (await import("./commands/installations.ts")).registerInstallationsCommands,
  analyze: async () => (await import("./commands/analyze.ts")).registerAnalyzeCommand,
  check: async () => (await import("./commands/check.ts")).registerCheckCommand,
  model: async () => (await import("./commands/model.ts")).registerModelCommands,
  orgs: async () => (await import("./commands/orgs.ts")).registerOrgsCommands,
  keys: async () => (await import("./commands/keys.ts")).registerKeysCommands,
  integrations: async () => (await import("./commands/integrations.ts")).registerIntegrationsCommands,
  mirrors: async () => (await import("./commands/mirrors.ts")).registerMirrorsCommands,
  backfills: async () => (await import("./commands/backfills.ts")).registerBackfillsCommand,
};

const requested = process.argv.slice(2).find((arg) => !arg.startsWith("-"));
const onlyVersion = !requested && process.argv.some((arg) => arg === "--version" || arg === "-V");
const wanted = requested && requested in COMMANDS ? [requested] : onlyVersion ? [] : Object.keys(COMMANDS);
for (const name of wanted) {
  const load = COMMANDS[name];
  if (load) (await load())(program);
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = report(error);
}

/** One clear line on stderr and an exit code scripts can branch on; never a stack trace for known failures. */
function report(error: unknown): number {
  if (error instanceof CommanderError) {
    // Commander has already printed its message (or the help/version text).
    return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  }
  if (error instanceof UsageError || error instanceof ConfigError) {
    process.stderr.write(`sentinel: ${error.message}\n`);
    return EXIT.usage;
  }
  if (error instanceof DatabaseUnavailableError) {
    process.stderr.write(`sentinel: ${error.message}\n`);
    return EXIT.unavailable;
  }
  if (error instanceof AppError) {
    process.stderr.write(`sentinel: ${error.message}\n`);
    return error.code === "not_found" ? EXIT.notFound : EXIT.failure;
  }
  process.stderr.write(
    `sentinel: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  return EXIT.failure;
}

import { Command, CommanderError } from "commander";
import { AppError } from "../core/errors.ts";
import { DatabaseUnavailableError } from "../server/db/client.ts";
import { ConfigError } from "../server/env.ts";
import { registerAnalyzeCommand } from "./commands/analyze.ts";
import { registerDbCommands } from "./commands/db.ts";
import { registerInstallationsCommands } from "./commands/installations.ts";
import { registerModelCommands } from "./commands/model.ts";
import { registerServeCommand } from "./commands/serve.ts";
import { EXIT, UsageError } from "./exit.ts";

const program = new Command()
  .name("sentinel")
  .description("How much of your code AI writes, where it lands, how risky it is, and whether it breaks production.")
  .version("0.1.0")
  .showHelpAfterError("(run with --help for usage)")
  .exitOverride();

registerServeCommand(program);
registerDbCommands(program);
registerInstallationsCommands(program);
registerAnalyzeCommand(program);
registerModelCommands(program);

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
  process.stderr.write(`sentinel: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`);
  return EXIT.failure;
}

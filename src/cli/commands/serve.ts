import type { Command } from "commander";

export function registerServeCommand(program: Command): void {
  program
    .command("serve")
    .description("Run the Sentinel server (HTTP API, dashboard and job workers); same as `npm start`")
    .action(async () => {
      await import("../../server/main.ts");
    });
}

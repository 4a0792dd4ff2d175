import { describe, expect, it } from "vitest";
import { runCli } from "./helpers/git-fixture.ts";

describe("sentinel integrations rotate-secret (arguments)", () => {
  it("documents its options", () => {
    const help = runCli(["integrations", "rotate-secret", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--org <slug>");
    expect(help.stdout).toMatch(/--provider <provider>.*pagerduty/);
  });

  it("refuses a missing or unknown provider with exit code 2 before opening a database", () => {
    const missing = runCli(["integrations", "rotate-secret", "--org", "acme"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("--provider");
    const unknown = runCli(["integrations", "rotate-secret", "--org", "acme", "--provider", "opsgenie"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("opsgenie");
  });
});

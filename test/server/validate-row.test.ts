import { describe, expect, it } from "vitest";
import { AppError } from "../../src/core/errors.ts";
import { codeAttribution, codeEvents, organizations } from "../../src/server/db/schema/index.ts";
import { validateRow } from "../../src/server/db/validate.ts";

const signals = {
  engineVersion: "1",
  signals: [],
  lines: { ai: 0, human: 0, unknown: 3 },
  tierReason: "default",
};

function errorOf(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected an AppError");
}

describe("row validation before the database", () => {
  it("rejects an enum value outside the spec's labels, naming the field", () => {
    const error = errorOf(() =>
      validateRow(codeAttribution, { riskTier: "T5_scary", detectionSignals: signals, filePath: "a.ts" }),
    );
    expect(error.code).toBe("bad_request");
    expect(error.message).toMatch(/^code_attribution\.risk_tier: "T5_scary" is not one of T1_boilerplate/);
  });

  it("rejects malformed JSONB, naming the path inside the column", () => {
    const error = errorOf(() =>
      validateRow(organizations, { name: "x", slug: "x", settings: { aiHeavyThreshold: 7 } }),
    );
    expect(error.message).toMatch(/^organizations\.settings\.aiHeavyThreshold: /);
    expect(error.details).toEqual({ field: "settings.aiHeavyThreshold" });
  });

  it("rejects unknown keys in strict JSONB documents", () => {
    const error = errorOf(() => validateRow(organizations, { settings: { sneaky: true } }));
    expect(error.message).toMatch(/organizations\.settings/);
  });

  it("validates event metadata against the schema of the row's event type", () => {
    const error = errorOf(() =>
      validateRow(codeEvents, { eventType: "deploy", metadata: { environment: "prod", state: "exploded" } }),
    );
    expect(error.message).toMatch(/^code_events\.metadata\.state: /);
  });

  it("returns parsed JSONB with defaults filled in", () => {
    const row = validateRow(organizations, { name: "Acme", slug: "acme", settings: {} });
    expect(row.settings).toEqual({
      aiHeavyThreshold: 0.5,
      tierRules: [],
      incidentLabel: "incident",
      productionEnvironments: ["production", "prod"],
    });
  });
});

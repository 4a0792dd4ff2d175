import { describe, expect, it } from "vitest";
import { compareEngineVersions } from "../../../src/server/workers/attribution.ts";

// Which release's worker may run a re-attribution scan during a rolling deploy depends on this order.
describe("compareEngineVersions", () => {
  it("orders by numeric parts, not as text", () => {
    expect(compareEngineVersions("2026.12.2", "2026.12.10")).toBe(-1);
    expect(compareEngineVersions("2027.1.1", "2026.12.10")).toBe(1);
    expect(compareEngineVersions("2026.12.2", "2026.12.2")).toBe(0);
    expect(compareEngineVersions("2026.12", "2026.12.1")).toBe(-1);
  });
});

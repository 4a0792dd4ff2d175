import { describe, expect, it } from "vitest";
import { orgSettingsSchema, readStoredSettings, repoSettingsSchema } from "../../src/core/settings.ts";

// Settings saved before globs were validated may hold a rule that validation now refuses: reading
// them drops that rule and keeps every other setting, instead of falling back to all defaults.

describe("stored settings", () => {
  it("drop a tier rule that validation now refuses and keep the rest", () => {
    const stored = {
      aiHeavyThreshold: 0.7,
      productionEnvironments: ["live"],
      tierRules: [
        { pattern: "src/[z-a]/**", tier: "T4_novel" },
        { pattern: "src/payments/**", tier: "T4_novel" },
      ],
    };
    expect(orgSettingsSchema.safeParse(stored).success).toBe(false);
    expect(readStoredSettings(orgSettingsSchema, stored)).toMatchObject({
      aiHeavyThreshold: 0.7,
      productionEnvironments: ["live"],
      tierRules: [{ pattern: "src/payments/**", tier: "T4_novel" }],
    });
  });

  it("fill defaults for nothing stored and refuse what is wrong otherwise", () => {
    expect(readStoredSettings(repoSettingsSchema, null)).toEqual(repoSettingsSchema.parse({}));
    expect(readStoredSettings(orgSettingsSchema, { aiHeavyThreshold: 7 })).toBeNull();
  });
});

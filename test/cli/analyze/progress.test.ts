import { describe, expect, it } from "vitest";
import { createProgress } from "../../../src/cli/analyze/progress.ts";

// The bar is drawn only for a person watching a terminal; piped stderr stays clean.

function stream(isTTY: boolean) {
  const written: string[] = [];
  const fake = { isTTY, write: (s: string) => written.push(s) > 0 } as unknown as NodeJS.WriteStream;
  return { fake, written };
}

describe("progress bar", () => {
  it("draws the count and clears its line on a terminal", () => {
    const { fake, written } = stream(true);
    const bar = createProgress(4, fake);
    bar.tick(4);
    bar.done();
    const ESC = "\u001b";
    expect(written[0]?.startsWith(`\ranalysing [${"█".repeat(30)}] 4/4 commits · `)).toBe(true);
    expect(written[0]?.endsWith(`/s${ESC}[K`)).toBe(true);
    expect(written.at(-1)).toBe("\r\u001b[K");
  });

  it("writes nothing when stderr is not a terminal", () => {
    const { fake, written } = stream(false);
    const bar = createProgress(4, fake);
    bar.tick(1);
    bar.tick(4);
    bar.done();
    expect(written).toEqual([]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAnalysis } from "../../../src/cli/analyze/run-analysis.ts";
import { inspectRepository } from "../../../src/git/repository.ts";
import type { AnalysedCommit } from "../../../src/server/services/local-analysis.ts";
import { buildToolHistory, type ToolHistory } from "../helpers/tool-history.ts";

// The analysis goes on while its sink writes a batch, with at most one batch in flight, and
// neither returns nor throws before the batch being written has settled.

let history: ToolHistory;

beforeAll(() => {
  history = buildToolHistory();
});
afterAll(() => history.repo.remove());

async function analyse(sink: (batch: AnalysedCommit[]) => Promise<void>) {
  const repo = await inspectRepository(history.repo.dir, { revGiven: false });
  return runAnalysis({ repo, revisions: null, firstParent: false, sink, sinkBatch: 4 });
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe("runAnalysis's sink", () => {
  it("gets every commit once, in order, one batch in flight at a time", async () => {
    const seen: string[] = [];
    let inFlight = 0;
    let most = 0;
    const { document } = await analyse(async (batch) => {
      most = Math.max(most, ++inFlight);
      await tick();
      seen.push(...batch.map((c) => c.input.sha));
      inFlight--;
    });
    expect(most).toBe(1);
    expect(inFlight).toBe(0);
    expect(seen).toEqual(document.commits.map((c) => c.sha));
    expect(seen.length).toBeGreaterThan(8);
  });

  it("fails with the sink's error once the batch in flight has settled, writing nothing after it", async () => {
    const batches: number[] = [];
    let settled = 0;
    const failing = analyse(async (batch) => {
      batches.push(batch.length);
      await tick();
      settled++;
      if (batches.length === 2) throw new Error("disk full");
    });
    await expect(failing).rejects.toThrow("disk full");
    // The first batch was written, the second failed, and no third was handed over.
    expect(batches).toEqual([4, 4]);
    expect(settled).toBe(2);
  });
});

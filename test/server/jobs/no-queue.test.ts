import { describe, expect, expectTypeOf, it } from "vitest";
import type { AppDeps } from "../../../src/server/http/context.ts";
import type { V1Variables } from "../../../src/server/http/middleware/auth.ts";
import { type JobQueue, noQueue } from "../../../src/server/jobs/queue.ts";
import { AfterCommit, withAfterCommit } from "../../../src/server/services/after-commit.ts";
import { requestRollUp } from "../../../src/server/services/metrics/schedule-roll-up.ts";

// The queue is never silently absent: code that sends jobs holds the real queue or, as a visible
// choice, noQueue; what services ask for after commit runs on whichever the caller holds.

const ids = { orgId: "00000000-0000-4000-8000-000000000001", repoId: "00000000-0000-4000-8000-000000000002" };

describe("the job queue is explicit", () => {
  it("is required wherever it is handed on", () => {
    expectTypeOf<AppDeps["queue"]>().toEqualTypeOf<JobQueue>();
    expectTypeOf<V1Variables["queue"]>().toEqualTypeOf<JobQueue>();
    expectTypeOf<Parameters<typeof requestRollUp>[0]>().toEqualTypeOf<JobQueue>();
  });

  it("noQueue says what it is and sends nothing", async () => {
    expect(noQueue.kind).toBe("none");
    expect(await requestRollUp(noQueue, ids)).toBeNull();
  });
});

describe("after-commit effects", () => {
  it("run once the work resolves, on the queue the caller holds, once per key", async () => {
    const seen: string[] = [];
    const result = await withAfterCommit(noQueue, async (afterCommit) => {
      afterCommit.add("roll-up:a", async (queue) => seen.push(`a on ${queue.kind}`));
      afterCommit.add("roll-up:a", async () => seen.push("a again"));
      afterCommit.add("roll-up:b", async () => seen.push("b"));
      expect(seen).toEqual([]);
      return "committed";
    });
    expect(result).toBe("committed");
    expect(seen).toEqual(["a on none", "b"]);
  });

  it("do not run when the work throws (nothing was committed)", async () => {
    const seen: string[] = [];
    await expect(
      withAfterCommit(noQueue, async (afterCommit) => {
        afterCommit.add("x", async () => seen.push("x"));
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    expect(seen).toEqual([]);
  });

  it("a failing effect does not undo the commit's answer, nor stop the others", async () => {
    const afterCommit = new AfterCommit();
    const seen: string[] = [];
    afterCommit.add("fails", async () => {
      throw new Error("queue down");
    });
    afterCommit.add("runs", async () => seen.push("runs"));
    await expect(afterCommit.run(noQueue)).resolves.toBeUndefined();
    expect(seen).toEqual(["runs"]);
  });
});

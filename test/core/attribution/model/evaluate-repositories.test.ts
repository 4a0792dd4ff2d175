import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyModel } from "../../../../src/core/attribution/model/apply.ts";
import type { TrainingExample } from "../../../../src/core/attribution/model/labels.ts";
import { createModelScorer } from "../../../../src/core/attribution/model/serialise.ts";
import { trainAndEvaluate } from "../../../../src/core/attribution/model/train.ts";
import { examplesFromRepository } from "../../../../src/server/services/ml-training-examples.ts";
import { generateCorpus } from "./corpus.ts";

// The real-code evaluation protocol (bench/model-real.ts, `sentinel model evaluate`) run on small
// git repositories built here: labels read from trailers and dates by the engine, the model trained
// only on repositories holding both classes, each repository held out in turn, and the same figures
// every run.

const temporary: string[] = [];
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});

const TRAILER = "Co-authored-by: Claude <noreply@anthropic.com>";

/** One commit per file, written by `git fast-import`; AI files carry the trailer and a footer line in the file. */
function buildRepository(files: ReturnType<typeof generateCorpus>): string {
  const dir = mkdtempSync(join(tmpdir(), "sentinel-model-eval-"));
  temporary.push(dir);
  execFileSync("git", ["init", "-q", dir]);
  execFileSync("git", ["-C", dir, "symbolic-ref", "HEAD", "refs/heads/main"]);
  const data = (text: string) => `data ${Buffer.byteLength(text)}\n${text}\n`;
  const sorted = [...files].sort((a, b) => a.committedAt.localeCompare(b.committedAt));
  const parts = sorted.map((f, i) => {
    const when = Math.floor(Date.parse(f.committedAt) / 1000);
    const ai = f.label === "ai";
    const comment = f.file.path.endsWith(".py") ? "#" : "//";
    // The label's own evidence, also inside the file: stripping must keep it from the model.
    const lines = ai ? [`${comment} Generated with Claude Code`, ...f.file.lines] : f.file.lines;
    return [
      "commit refs/heads/main\n",
      `mark :${i + 1}\n`,
      `author Dana Smith <dana@example.com> ${when} +0000\n`,
      `committer Dana Smith <dana@example.com> ${when} +0000\n`,
      data(ai ? `Change ${i}\n\n${TRAILER}\n` : `Change ${i}\n`),
      i > 0 ? `from :${i}\n` : "",
      `M 100644 inline ${f.file.path}\n`,
      data(`${lines.join("\n")}\n`),
    ].join("");
  });
  execFileSync("git", ["-C", dir, "fast-import", "--quiet"], { input: parts.join("") });
  execFileSync("git", ["-C", dir, "reset", "-q", "--hard", "main"]);
  return dir;
}

const examples: TrainingExample[] = [];

beforeAll(async () => {
  const corpus = generateCorpus({ seed: 31, perClass: 240, repositories: 3, labelNoise: 0.05 });
  // repo-2 keeps only its AI files: a project started with an agent, which must not train.
  const repos = ["repo-0", "repo-1", "repo-2"].map((repo) =>
    buildRepository(corpus.filter((c) => c.repoId === repo && (repo !== "repo-2" || c.label === "ai"))),
  );
  for (const [i, dir] of repos.entries()) {
    examples.push(...(await examplesFromRepository(dir, { repoId: `repo-${i}` })).examples);
  }
}, 60_000);

describe("evaluation on repositories", () => {
  it("reads labels from trailers and dates, never from the evidence lines inside the files", () => {
    expect(examples.filter((e) => e.repoId === "repo-2").every((e) => e.label === "ai")).toBe(true);
    const ai = examples.filter((e) => e.label === "ai");
    expect(ai.length).toBeGreaterThan(200);
    expect(ai.every((e) => e.source === "heuristic")).toBe(true);
  });

  it("gives identical figures, threshold and version on every run", () => {
    const options = { trainedAt: "2026-12-03T00:00:00Z", minPerClass: 50, robustness: true };
    const first = trainAndEvaluate(examples, options);
    const second = trainAndEvaluate([...examples], options);
    expect(second).toEqual(first);
    if (first.status !== "trained") throw new Error("expected a trained model");
    // Only the two repositories with both classes train; the AI-only one is still measured.
    expect(first.metrics.counts.human).toBe(examples.filter((e) => e.label === "human").length);
    expect(first.metrics.counts.ai).toBe(
      examples.filter((e) => e.label === "ai" && e.repoId !== "repo-2").length,
    );
    const byRepository = first.metrics.splits.filter((s) => s.kind === "repository");
    expect(byRepository.map((s) => s.name)).toEqual([
      "repository:repo-0",
      "repository:repo-1",
      "repository:repo-2",
    ]);
    expect(byRepository[2]?.test.human).toBe(0);
    expect(byRepository[2]?.falsePositiveRate).toBeNull();
    expect(first.metrics.heldOut.brier).toBeGreaterThan(0);
    expect(first.metrics.heldOut.auroc).toBeGreaterThan(0.6);
    expect(first.robustness.time?.map((r) => r.reformat)).toEqual([
      "reindent",
      "normalise-whitespace",
      "strip-comments",
    ]);
    // Layout never reaches the features: re-indenting flips nothing.
    expect(first.robustness.time?.[0]?.flipped).toBe(0);
  });

  it("applies a stored model to a repository it never saw, at the model's own threshold", () => {
    const trainOn = examples.filter((e) => e.repoId !== "repo-1");
    const outcome = trainAndEvaluate(trainOn, { trainedAt: "2026-12-03T00:00:00Z", minPerClass: 50 });
    if (outcome.status !== "trained") throw new Error("expected a trained model");
    const scorer = createModelScorer(outcome.weights, {
      version: outcome.version,
      threshold: outcome.threshold,
    });
    const unseen = examples.filter((e) => e.repoId === "repo-1");
    const applied = applyModel(scorer, unseen);
    expect(applyModel(scorer, unseen)).toEqual(applied);
    expect(applied.overall.test).toEqual({
      ai: unseen.filter((e) => e.label === "ai").length,
      human: unseen.filter((e) => e.label === "human").length,
    });
    expect(applied.overall.threshold).toBe(outcome.threshold);
    expect(applied.repositories.map((r) => r.name)).toEqual(["repository:repo-1"]);
    expect(applied.overall.auroc).toBeGreaterThan(0.6);
  });

  it("cannot separate files that differ only by the label's evidence", () => {
    const plain = examples.filter((e) => e.label === "human").slice(0, 220);
    const twins: TrainingExample[] = plain.flatMap((e, i) => [
      { ...e, repoId: `r${i % 2}` },
      {
        ...e,
        repoId: `r${i % 2}`,
        label: "ai" as const,
        source: "heuristic" as const,
        addedLines: [
          `# ${TRAILER}`,
          "# 🤖 Generated with [Claude Code](https://claude.com/claude-code)",
          ...e.addedLines,
        ],
      },
    ]);
    const outcome = trainAndEvaluate(twins, { trainedAt: "2026-12-03T00:00:00Z", minPerClass: 50 });
    if (outcome.status !== "trained") throw new Error("expected a trained model");
    expect(outcome.metrics.training.auroc).toBe(0.5);
  });
});

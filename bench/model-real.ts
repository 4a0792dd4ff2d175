// `npm run bench -- model-real`: the ml_model trained and judged on REAL repositories, beside the
// synthetic figures. Reads the git bundles of ../shared/corpus (test data: cloned into the system
// temp directory, never into this repository), labels files from strong evidence only (AI: the
// heuristics at ≥ 0.9, i.e. trailers, footers, tool identities; human: commits before
// 2021-06-29, the start of the GitHub Copilot preview, by non-bot authors), samples a bounded
// number of files per repository and class (deterministic, stated in the output), then for each
// configuration: the time split, each repository held out in turn, their pooled scores,
// calibration, and the verdicts that flip when held-out files are reformatted.
// `SENTINEL_CORPUS_DIR` overrides the corpus location.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { FeatureSet } from "../src/core/attribution/model/features.ts";
import { fnv1a } from "../src/core/attribution/model/hash.ts";
import type { TrainingExample } from "../src/core/attribution/model/labels.ts";
import { createModelScorer } from "../src/core/attribution/model/serialise.ts";
import { type TrainModelOptions, trainAndEvaluate } from "../src/core/attribution/model/train.ts";
import { examplesFromRepository } from "../src/server/services/ml-training-examples.ts";
import { generateCorpus } from "../test/core/attribution/model/corpus.ts";

/** Human labels: commits before the GitHub Copilot technical preview (the corpus's stricter date). */
export const HUMAN_BEFORE = "2021-06-29T00:00:00Z";
/** Files per repository and class: bounds CPU (2 shared cores) while keeping every repository in. */
const SAMPLE_PER_CLASS = 600;
/** The era probe: unlabelled files from here to UNLABELLED_UNTIL (before most repositories' first label). */
const UNLABELLED_FROM = "2022-01-01T00:00:00Z";
const UNLABELLED_UNTIL = "2025-01-01T00:00:00Z";
const LABEL_RULES = "engine+labels v2";

function corpusDir(): string {
  const fromEnv = process.env.SENTINEL_CORPUS_DIR;
  return resolve(
    fromEnv && fromEnv !== "" ? fromEnv : join(import.meta.dirname, "..", "..", "shared", "corpus"),
  );
}

export async function corpusExamples(humanBefore = HUMAN_BEFORE): Promise<Map<string, TrainingExample[]>> {
  const dir = corpusDir();
  const bundles = readdirSync(dir)
    .filter((f) => f.endsWith(".bundle"))
    .sort();
  if (bundles.length === 0) throw new Error(`no .bundle files in ${dir}`);
  const work = join(tmpdir(), "sentinel-model-real");
  mkdirSync(work, { recursive: true });
  const byRepo = new Map<string, TrainingExample[]>();
  for (const bundle of bundles) {
    const name = bundle.slice(0, -".bundle".length);
    const source = join(dir, bundle);
    const clone = join(work, name);
    if (!existsSync(clone)) execFileSync("git", ["clone", "--quiet", source, clone]);
    const stat = statSync(source);
    const cacheKey = `${stat.size}:${stat.mtimeMs}:${LABEL_RULES}:${humanBefore}`;
    const cache = join(work, `${name}.${humanBefore.slice(0, 10)}.examples.json`);
    if (existsSync(cache)) {
      const cached = JSON.parse(readFileSync(cache, "utf8")) as { key: string; examples: TrainingExample[] };
      if (cached.key === cacheKey) {
        byRepo.set(name, cached.examples);
        continue;
      }
    }
    const read = await examplesFromRepository(clone, { repoId: name, humanBefore });
    writeFileSync(cache, JSON.stringify({ key: cacheKey, examples: read.examples }));
    byRepo.set(name, read.examples);
  }
  return byRepo;
}

/** Deterministic sample: the files of each class whose hash ranks lowest, at most `limit` of them. */
function sample(examples: readonly TrainingExample[], limit: number): TrainingExample[] {
  const out: TrainingExample[] = [];
  for (const label of ["ai", "human"] as const) {
    const ofClass = examples
      .filter((e) => e.label === label)
      .map((e) => ({ e, h: fnv1a(`${e.committedAt}\u0000${e.path}\u0000${e.addedLines.length}`) }))
      .sort((a, b) => a.h - b.h || a.e.committedAt.localeCompare(b.e.committedAt));
    out.push(...ofClass.slice(0, limit).map((x) => x.e));
  }
  return out;
}

const CONFIGURATIONS: Array<{
  name: string;
  why: string;
  options: Partial<TrainModelOptions> & { featureSet: FeatureSet };
}> = [
  {
    name: "before: lexical features, every repository trains",
    why: "the model as it was (feature set f1's lexical block, one-class repositories in training)",
    options: { featureSet: "lexical", trainOn: "all" },
  },
  {
    name: "lexical features, paired repositories",
    why: "only repositories with both classes train, each repository's classes weighted alike",
    options: { featureSet: "lexical", trainOn: "paired" },
  },
  {
    name: "structural features, paired repositories",
    why: "no project vocabulary: identifiers read as ID, no comment words",
    options: { featureSet: "structural", trainOn: "paired" },
  },
  {
    name: "structural + comment words, paired repositories (default)",
    why: "structural plus what comments say",
    options: { featureSet: "structural-comments", trainOn: "paired" },
  },
];

/**
 * The era probe: files of unlabelled commits from 2022 to 2024 (no AI label, after the human
 * cutoff; mostly people's work, some perhaps assisted without a trace), scored by the model trained
 * on everything. A model that learned the era flags many; a share near the human false-positive
 * rate says it did not. Not a false-positive rate: these files are not known to be human.
 */
function eraProbe(outcome: ReturnType<typeof trainAndEvaluate>, unlabelled: Map<string, TrainingExample[]>) {
  if (outcome.status !== "trained") return null;
  const scorer = createModelScorer(outcome.weights, {
    version: outcome.version,
    threshold: outcome.threshold,
  });
  return [...unlabelled].map(([repo, files]) => {
    const flagged = files.filter((e) => scorer.score(e.addedLines, e.path) >= outcome.threshold).length;
    return { repo, files: files.length, flagged: files.length === 0 ? null : flagged / files.length };
  });
}

/** Files labelled human only because of the later cutoff: the unlabelled 2022–2024 files. */
async function unlabelledEraFiles(): Promise<Map<string, TrainingExample[]>> {
  const later = await corpusExamples(UNLABELLED_UNTIL);
  const from = Date.parse(UNLABELLED_FROM);
  const out = new Map<string, TrainingExample[]>();
  for (const [repo, examples] of later) {
    const era = examples.filter((e) => e.label === "human" && Date.parse(e.committedAt) >= from);
    out.set(repo, sample(era, SAMPLE_PER_CLASS));
  }
  return out;
}

function summarise(outcome: ReturnType<typeof trainAndEvaluate>) {
  if (outcome.status !== "trained") return { status: outcome.status, counts: outcome.counts };
  const { metrics, robustness } = outcome;
  const strip = ({ calibration: _c, ...rest }: (typeof metrics.splits)[number]) => rest;
  const pooled = metrics.splits.find((s) => s.kind === "repositories-pooled") ?? null;
  return {
    status: outcome.status,
    threshold: metrics.threshold,
    targetFalsePositiveRate: metrics.targetFalsePositiveRate,
    trainedOn: metrics.counts,
    training: metrics.training,
    activation: metrics.activation,
    time: strip(metrics.heldOut),
    timeCalibration: metrics.heldOut.calibration,
    repositories: metrics.splits.filter((s) => s.kind === "repository").map(strip),
    pooled: pooled ? strip(pooled) : null,
    pooledCalibration: pooled?.calibration ?? null,
    robustness,
  };
}

export async function benchModelReal() {
  const started = performance.now();
  const byRepo = await corpusExamples();
  const labelled = [...byRepo].map(([repo, examples]) => ({
    repo,
    ai: examples.filter((e) => e.label === "ai").length,
    human: examples.filter((e) => e.label === "human").length,
  }));
  const examples = [...byRepo.values()].flatMap((e) => sample(e, SAMPLE_PER_CLASS));
  const trainedAt = "2026-12-03T00:00:00Z";
  const unlabelled = await unlabelledEraFiles();
  const real = CONFIGURATIONS.map((c) => {
    const t0 = performance.now();
    const outcome = trainAndEvaluate(examples, { trainedAt, robustness: true, ...c.options });
    return {
      name: c.name,
      why: c.why,
      ...c.options,
      seconds: (performance.now() - t0) / 1000,
      ...summarise(outcome),
      eraProbe: eraProbe(outcome, unlabelled),
    };
  });

  // The synthetic figures, beside the real ones: the generator of test/core/attribution/model/corpus.ts.
  const synthetic = generateCorpus({ seed: 2026, perClass: 600, repositories: 6, labelNoise: 0.05 }).map(
    (c): TrainingExample => ({
      addedLines: c.file.lines,
      path: c.file.path,
      label: c.label,
      repoId: c.repoId,
      committedAt: c.committedAt,
      source: c.label === "ai" ? "heuristic" : "beforeAiEra",
    }),
  );
  const syntheticOutcome = summarise(trainAndEvaluate(synthetic, { trainedAt, robustness: true }));

  return {
    command: "npm run bench -- model-real",
    corpus: corpusDir(),
    labels: {
      ai: "files of commits the heuristic engine attributes at >= 0.9 (trailers, footers, tool identities)",
      human: `files of non-bot commits before ${HUMAN_BEFORE}`,
      evidenceStripped:
        "trailer, generated-by and tool-address lines dropped, tool names masked, before any feature",
    },
    labelled,
    eraProbe: {
      files: `unlabelled (no AI label) files committed ${UNLABELLED_FROM.slice(0, 10)} – ${UNLABELLED_UNTIL.slice(0, 10)}, at most ${SAMPLE_PER_CLASS} per repository`,
      meaning:
        "share the final model flags at its threshold; not a false-positive rate (these files are not known to be human)",
    },
    sample: {
      perRepositoryAndClass: SAMPLE_PER_CLASS,
      rule: "lowest FNV-1a hash of (commit time, path, added line count) per repository and class",
      ai: examples.filter((e) => e.label === "ai").length,
      human: examples.filter((e) => e.label === "human").length,
    },
    real,
    synthetic: { perClass: 600, repositories: 6, labelNoise: 0.05, ...syntheticOutcome },
    seconds: (performance.now() - started) / 1000,
  };
}

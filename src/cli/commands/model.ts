import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { type AppliedModel, applyModel } from "../../core/attribution/model/apply.ts";
import { AI_ERA_START, MIN_EXAMPLES_PER_CLASS } from "../../core/attribution/model/constants.ts";
import {
  type ModelFile,
  type ModelMetrics,
  modelFileSchema,
  type SplitMetrics,
  type TrainedOn,
} from "../../core/attribution/model/schemas.ts";
import { createModelScorer, type ModelScorer } from "../../core/attribution/model/serialise.ts";
import { trainAndEvaluate } from "../../core/attribution/model/train.ts";
import { PathNotFoundError } from "../../git/repository.ts";
import { GitError, GitNotFoundError } from "../../git/run-git.ts";
import { infrastructureFromEnv, openConfiguredDatabase } from "../../server/composition.ts";
import type { DatabaseHandle } from "../../server/db/client.ts";
import { env } from "../../server/env.ts";
import type { ServiceContext } from "../../server/services/context.ts";
import { trainingRepositories } from "../../server/services/ml-model-training.ts";
import {
  describeActiveModel,
  exportModel,
  getActiveModel,
  trainModel,
} from "../../server/services/ml-models.ts";
import { collectTrainingExamples } from "../../server/services/ml-training-examples.ts";
import { findOrganizationBySlug } from "../../server/services/organizations/find-organization-by-slug.ts";
import { EXIT, UsageError } from "../exit.ts";

interface ModelOptions {
  org: string;
  repo?: string[];
  mirrors?: boolean;
  humanBefore?: string;
  activate?: boolean;
  export?: string;
  model?: string;
  out?: string;
  json?: boolean;
}

export function registerModelCommands(program: Command): void {
  const model = program
    .command("model")
    .description("Train and evaluate the organization's ml_model classifier (docs/attribution-model.md)");

  model
    .command("train")
    .description(
      "Label the files of local clones or mirrored repositories, train the model, measure it, and store it",
    )
    .requiredOption("--org <slug>", "organization the model is for")
    .option(
      "--repo <path>",
      "a local git repository (clone or bare mirror) to learn from (repeatable)",
      collect,
    )
    .option(
      "--mirrors",
      "also learn from the organization's repositories this machine holds (mirrors, analysed clones)",
    )
    .option(
      "--human-before <date>",
      `files of commits before this date are human (default ${AI_ERA_START.slice(0, 10)})`,
    )
    .option("--activate", "make the model active even if its held-out figures miss the activation bar")
    .option("--export <file>", "also write the model (weights, threshold, figures) to this JSON file")
    .option("--json", "print the result as JSON")
    .addHelpText(
      "after",
      `
Labels: files of commits the heuristics attribute with confidence >= 0.9 are AI; commits by people
before --human-before are human; the organization's manual overrides win over both. Only
repositories holding both classes train. Nothing is trained below ${MIN_EXAMPLES_PER_CLASS} files of each class
(exit code 1). The model becomes active only if, on repositories it never saw, at most 1% of human
files reach its threshold with useful recall (or with --activate).`,
    )
    .action((options: ModelOptions) => run(options, train));

  model
    .command("evaluate")
    .description(
      "Show the active model's measured quality; with --repo, train and measure on those repositories, or apply a stored model to them (--model)",
    )
    .requiredOption("--org <slug>", "organization")
    .option("--repo <path>", "local repositories to measure on (repeatable); nothing is stored", collect)
    .option(
      "--model <active|file>",
      "apply this stored model (the active one, or a file from train --export) instead of training",
    )
    .option(
      "--human-before <date>",
      `files of commits before this date are human (default ${AI_ERA_START.slice(0, 10)})`,
    )
    .option("--out <file>", "write the figures as JSON to this file")
    .option("--json", "print the result as JSON")
    .action((options: ModelOptions) => run(options, evaluate));
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

async function run(
  options: ModelOptions,
  action: (ctx: ServiceContext, options: ModelOptions) => Promise<void>,
) {
  if (options.org.trim() === "") throw new UsageError("--org needs an organization slug");
  if (options.humanBefore !== undefined && !Number.isFinite(Date.parse(options.humanBefore)))
    throw new UsageError(`--human-before needs a date such as 2021-06-29, not "${options.humanBefore}"`);
  let handle: DatabaseHandle | undefined;
  try {
    ({ handle } = await openConfiguredDatabase(env()));
    const { id: orgId } = await findOrganizationBySlug(handle.db, options.org);
    await action({ db: handle.db, orgId, actor: { kind: "cli" } }, options);
  } catch (error) {
    const code = exitCodeFor(error);
    if (code === null) throw error;
    process.stderr.write(`sentinel: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = code;
  } finally {
    await handle?.close();
  }
}

function exitCodeFor(error: unknown): number | null {
  if (error instanceof PathNotFoundError) return EXIT.notFound;
  if (error instanceof GitNotFoundError) return EXIT.unavailable;
  if (error instanceof GitError) return EXIT.badRepository;
  return null;
}

const humanBefore = (options: ModelOptions) =>
  options.humanBefore ? { humanBefore: new Date(options.humanBefore).toISOString() } : {};

/** The histories to read: --repo paths, plus with --mirrors the organization's mirrors and analysed clones. */
async function sourcePaths(ctx: ServiceContext, options: ModelOptions): Promise<string[]> {
  const paths = [...(options.repo ?? [])];
  if (options.mirrors) {
    const { mirrors } = infrastructureFromEnv(env());
    for (const repo of await trainingRepositories(ctx)) {
      const mirror = mirrors.gitDirFor(repo.id);
      if (existsSync(mirror)) paths.push(mirror);
      else if (repo.localPath && existsSync(repo.localPath)) paths.push(repo.localPath);
    }
    if (paths.length === 0)
      throw new UsageError(
        `no mirrored or analysed repository of this organization is on this machine (${mirrors.root})`,
      );
  }
  if (paths.length === 0)
    throw new UsageError("name the histories to learn from: --repo <path> (repeatable) or --mirrors");
  return paths;
}

async function train(ctx: ServiceContext, options: ModelOptions): Promise<void> {
  const paths = await sourcePaths(ctx, options);
  const { examples, repositories } = await collectTrainingExamples(ctx, { paths, ...humanBefore(options) });
  const result = await trainModel(ctx, { examples, activation: options.activate ? "always" : "measured" });
  if (result.status === "trained" && options.export) {
    writeFileSync(options.export, `${JSON.stringify(await exportModel(ctx, result.model.version))}\n`);
  }
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ repositories, ...result }, null, 2)}\n`);
  } else {
    const lines = [describeRepositories(repositories)];
    if (result.status === "insufficient_labels") {
      lines.push(describeLabels(result.trainedOn), insufficient(result.counts, result.required));
    } else {
      const { model } = result;
      lines.push(
        describeLabels(model.trainedOn),
        model.active
          ? `trained ${model.version}; now the active model of ${options.org} ; re-run \`sentinel analyze --full <path>\` to re-attribute local repositories with it (the server's training job re-attributes App repositories; this command does not)`
          : `trained ${model.version}; stored but NOT active (${model.metrics.activation?.reason ?? "figures below the bar"}); --activate overrides`,
        ...describeMetrics(model.metrics),
      );
      if (options.export) lines.push(`written to ${options.export}`);
    }
    process.stdout.write(`${lines.join("\n")}\n`);
  }
  if (result.status === "insufficient_labels") process.exitCode = EXIT.failure;
}

function readModelFile(path: string): ModelFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new UsageError(`cannot read the model file ${path}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError(`${path} is not JSON`);
  }
  const parsed = modelFileSchema.safeParse(json);
  if (!parsed.success)
    throw new UsageError(`${path} is not a model file written by \`sentinel model train --export\``);
  return parsed.data;
}

async function storedScorer(ctx: ServiceContext, which: string): Promise<ModelScorer> {
  if (which === "active") {
    const scorer = await getActiveModel(ctx);
    if (!scorer)
      throw new UsageError("this organization has no active model usable by this build; pass a model file");
    return scorer;
  }
  const file = readModelFile(which);
  try {
    return createModelScorer(file.weights, { version: file.version, threshold: file.threshold });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

function writeOut(options: ModelOptions, document: unknown): void {
  if (options.out) writeFileSync(options.out, `${JSON.stringify(document, null, 2)}\n`);
}

async function evaluate(ctx: ServiceContext, options: ModelOptions): Promise<void> {
  if (options.model && !options.repo?.length)
    throw new UsageError("--model needs --repo: the repositories to apply it to");
  if (options.repo && options.repo.length > 0) {
    const scorer = options.model ? await storedScorer(ctx, options.model) : null;
    const { examples, repositories } = await collectTrainingExamples(ctx, {
      paths: options.repo,
      ...humanBefore(options),
    });
    if (scorer) {
      const applied = applyModel(scorer, examples);
      const document = { repositories, applied };
      writeOut(options, document);
      process.stdout.write(
        options.json
          ? `${JSON.stringify(document, null, 2)}\n`
          : `${[describeRepositories(repositories), ...describeApplied(applied)].join("\n")}\n`,
      );
      return;
    }
    const outcome = trainAndEvaluate(examples, { trainedAt: new Date().toISOString(), robustness: true });
    const { weights: _weights, ...rest } =
      outcome.status === "trained" ? outcome : { ...outcome, weights: null };
    writeOut(options, { repositories, ...rest });
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ repositories, ...rest }, null, 2)}\n`);
    } else {
      const lines = [describeRepositories(repositories), describeLabels(outcome.trainedOn)];
      if (outcome.status === "insufficient_labels")
        lines.push(insufficient(outcome.counts, outcome.required));
      else lines.push("measured, not stored:", ...describeMetrics(outcome.metrics));
      process.stdout.write(`${lines.join("\n")}\n`);
    }
    if (outcome.status === "insufficient_labels") process.exitCode = EXIT.failure;
    return;
  }
  const active = await describeActiveModel(ctx);
  writeOut(options, { model: active });
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ model: active }, null, 2)}\n`);
  } else if (!active) {
    process.stdout.write(
      `no active model for ${options.org}: the ml_model detector is off (train one with \`sentinel model train --org ${options.org} --repo <path>\`)\n`,
    );
  } else {
    const scope = active.orgId === null ? "global model" : "organization model";
    const lines = [
      `${active.version} (${scope}, trained ${active.createdAt.toISOString()})`,
      describeLabels(active.trainedOn),
      ...describeMetrics(active.metrics),
    ];
    process.stdout.write(`${lines.join("\n")}\n`);
  }
}

const pct = (x: number | null | undefined) => (x == null ? "n/a" : `${(100 * x).toFixed(1)}%`);
const num = (x: number | null | undefined) => (x == null ? "n/a" : x.toFixed(3));

function insufficient(counts: { ai: number; human: number }, required: number): string {
  return `not enough labels to train: ${counts.ai} AI and ${counts.human} human files in repositories holding both (at least ${required} of each needed); the model stays off`;
}

function describeRepositories(
  repositories: Array<{ path: string; commits: number; examples: number }>,
): string {
  return repositories
    .map((r) => `${r.path}: ${r.commits} commits read, ${r.examples} labelled files`)
    .join("\n");
}

function describeLabels(t: TrainedOn): string {
  const s = t.labelSources;
  const range = t.from && t.to ? `, ${t.from.slice(0, 10)} to ${t.to.slice(0, 10)}` : "";
  return (
    `labels: ${t.ai} AI files (${s.heuristic} heuristic >= 0.9, ${s.overrideAi} overrides), ` +
    `${t.human} human files (${s.beforeAiEra} by date, ${s.overrideHuman} overrides) ` +
    `from ${t.repositories} repositories${range}`
  );
}

function describeSplit(s: SplitMetrics): string {
  return (
    `  ${s.name}: test ${s.test.ai} AI / ${s.test.human} human · AUROC ${num(s.auroc)} · ` +
    `false positives ${pct(s.falsePositiveRate)} · AI caught ${pct(s.truePositiveRate)} · precision ${pct(s.precision)} at ${num(s.threshold)} · ` +
    `Brier ${num(s.brier)} · calibration error ${num(s.expectedCalibrationError)}`
  );
}

function describeMetrics(m: ModelMetrics): string[] {
  return [
    `held out (later files of each class):`,
    describeSplit(m.heldOut),
    ...(m.splits.length > 1
      ? [
          "by repository (held out one at a time):",
          ...m.splits.filter((s) => s.kind !== "time").map(describeSplit),
        ]
      : []),
    `operating threshold ${num(m.threshold)} (target: at most ${pct(m.targetFalsePositiveRate)} of human files above it)`,
    `on its own training files (optimistic): AUROC ${num(m.training.auroc)}`,
    ...(m.activation
      ? [
          `activation: ${m.activation.recommended ? "recommended" : "not recommended"} (${m.activation.reason})`,
        ]
      : []),
  ];
}

function describeApplied(a: AppliedModel): string[] {
  return [
    `model ${a.version} applied at its threshold ${num(a.threshold)}; nothing trained, nothing stored:`,
    describeSplit(a.overall),
    ...a.repositories.map(describeSplit),
    "reformatted (verdicts that flip):",
    ...a.robustness.map(
      (r) =>
        `  ${r.reformat}: ${pct(r.flipped)} flipped · AUROC ${num(r.auroc)} · false positives ${pct(r.falsePositiveRate)} · AI caught ${pct(r.truePositiveRate)}`,
    ),
  ];
}

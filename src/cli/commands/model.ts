import type { Command } from "commander";
import { AI_ERA_START, MIN_EXAMPLES_PER_CLASS } from "../../core/attribution/model/constants.ts";
import type { ModelMetrics, SplitMetrics, TrainedOn } from "../../core/attribution/model/schemas.ts";
import { trainAndEvaluate } from "../../core/attribution/model/train.ts";
import { PathNotFoundError } from "../../git/repository.ts";
import { GitError, GitNotFoundError } from "../../git/run-git.ts";
import { openConfiguredDatabase } from "../../server/composition.ts";
import type { DatabaseHandle } from "../../server/db/client.ts";
import { env } from "../../server/env.ts";
import type { ServiceContext } from "../../server/services/context.ts";
import { describeActiveModel, trainModel } from "../../server/services/ml-models.ts";
import { collectTrainingExamples } from "../../server/services/ml-training-examples.ts";
import { findOrganizationBySlug } from "../../server/services/organizations/find-organization-by-slug.ts";
import { EXIT, UsageError } from "../exit.ts";

interface ModelOptions {
  org: string;
  repo?: string[];
  json?: boolean;
}

export function registerModelCommands(program: Command): void {
  const model = program
    .command("model")
    .description("Train and evaluate the organization's ml_model classifier (docs/attribution-model.md)");

  model
    .command("train")
    .description("Label the files of local repositories, train the model, measure it, and make it active")
    .requiredOption("--org <slug>", "organization the model is for")
    .requiredOption("--repo <path>", "a local git repository to learn from (repeatable)", collect)
    .option("--json", "print the result as JSON")
    .addHelpText(
      "after",
      `
Labels: files of commits the heuristics attribute with confidence >= 0.9 are AI; commits before
${AI_ERA_START.slice(0, 10)} are human; the organization's manual overrides win over both. Nothing is
trained below ${MIN_EXAMPLES_PER_CLASS} files of each class (exit code 1).`,
    )
    .action((options: ModelOptions) => run(options, train));

  model
    .command("evaluate")
    .description(
      "Show the active model's measured quality, or measure the model on --repo without storing it",
    )
    .requiredOption("--org <slug>", "organization")
    .option(
      "--repo <path>",
      "measure on these local repositories instead (repeatable); nothing is stored",
      collect,
    )
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

async function train(ctx: ServiceContext, options: ModelOptions): Promise<void> {
  const { examples, repositories } = await collectTrainingExamples(ctx, { paths: options.repo ?? [] });
  const result = await trainModel(ctx, { examples });
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ repositories, ...result }, null, 2)}\n`);
  } else {
    const lines = [describeRepositories(repositories)];
    if (result.status === "insufficient_labels") {
      lines.push(describeLabels(result.trainedOn), insufficient(result.counts, result.required));
    } else {
      lines.push(
        describeLabels(result.model.trainedOn),
        `trained ${result.model.version}; now the active model of ${options.org}`,
        ...describeMetrics(result.model.metrics),
      );
    }
    process.stdout.write(`${lines.join("\n")}\n`);
  }
  if (result.status === "insufficient_labels") process.exitCode = EXIT.failure;
}

async function evaluate(ctx: ServiceContext, options: ModelOptions): Promise<void> {
  if (options.repo && options.repo.length > 0) {
    const { examples, repositories } = await collectTrainingExamples(ctx, { paths: options.repo });
    const outcome = trainAndEvaluate(examples, { trainedAt: new Date().toISOString() });
    if (options.json) {
      const { weights: _weights, ...rest } =
        outcome.status === "trained" ? outcome : { ...outcome, weights: null };
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

const pct = (x: number | null) => (x === null ? "n/a" : `${(100 * x).toFixed(1)}%`);
const num = (x: number | null) => (x === null ? "n/a" : x.toFixed(3));

function insufficient(counts: { ai: number; human: number }, required: number): string {
  return `not enough labels to train: ${counts.ai} AI and ${counts.human} human files (at least ${required} of each needed); the model stays off`;
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
    `${t.human} human files (${s.beforeAiEra} before ${AI_ERA_START.slice(0, 10)}, ${s.overrideHuman} overrides) ` +
    `from ${t.repositories} repositories${range}`
  );
}

function describeSplit(s: SplitMetrics): string {
  return (
    `  ${s.name}: test ${s.test.ai} AI / ${s.test.human} human · AUROC ${num(s.auroc)} · ` +
    `false positives ${pct(s.falsePositiveRate)} · AI caught ${pct(s.truePositiveRate)} at ${num(s.threshold)} · ` +
    `calibration error ${num(s.expectedCalibrationError)}`
  );
}

function describeMetrics(m: ModelMetrics): string[] {
  return [
    `held out (later files of each class; the headline):`,
    describeSplit(m.heldOut),
    ...(m.splits.length > 1
      ? [
          "by repository (held out one at a time):",
          ...m.splits.filter((s) => s.kind !== "time").map(describeSplit),
        ]
      : []),
    `operating threshold ${num(m.threshold)} (target: at most ${pct(m.targetFalsePositiveRate)} of human files above it)`,
    `on its own training files (optimistic): AUROC ${num(m.training.auroc)}`,
  ];
}

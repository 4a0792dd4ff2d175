import { readFile, stat, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Command } from "commander";
import {
  MAX_POLICY_BYTES,
  PolicyError,
  type PolicySet,
  parsePolicyText,
} from "../../core/policies/schema.ts";
import { inspectRepository, PathNotFoundError } from "../../git/repository.ts";
import { GitError, GitNotFoundError } from "../../git/run-git.ts";
import { EXIT, UsageError } from "../exit.ts";

interface CheckOptions {
  base: string;
  head: string;
  policy?: string;
  json?: string;
  markdown?: string;
  repo: string;
  commitUrl?: string;
}

export function registerCheckCommand(program: Command): void {
  program
    .command("check")
    .description("Check a pull request's commits (base..head) against the team's policies, in any CI")
    .requiredOption("--base <rev>", "the commit the change starts from (the PR's base branch)")
    .option("--head <rev>", "the change's last commit", "HEAD")
    .option("--policy <file>", "policy document (JSON, docs/checks.md); none: informative only")
    .option("--json <file>", "write the result as JSON ('-' for stdout)")
    .option("--markdown <file>", "write the summary as GitHub-flavoured Markdown ('-' for stdout)")
    .option("--repo <path>", "a directory inside the repository", ".")
    .option("--commit-url <template>", "link commits in the Markdown, {sha} replaced by the commit")
    .addHelpText(
      "after",
      `
Reads the commits of base..head with the git reader \`sentinel analyze\` uses, attributes them, and
judges them by the policies. There is no review data in a clone: a codeowner-review policy with AI
lines in its tiers reports "requires review" and applies its conclusion.

Exit codes: 0 no policy failed (success or neutral) · 1 unexpected failure · 2 bad option or invalid
policy · 3 repository or policy file not found · 4 git unavailable · 5 not a git repository, or a
revision git does not know · 6 a policy set to "failure" is not met`,
    )
    .action(async (options: CheckOptions) => {
      try {
        process.exitCode = await check(options);
      } catch (error) {
        const code = exitCodeFor(error);
        if (code === null) throw error;
        process.stderr.write(`sentinel: ${error instanceof Error ? error.message : String(error)}\n`);
        process.exitCode = code;
      }
    });
}

class FileNotFoundError extends Error {}

function exitCodeFor(error: unknown): number | null {
  if (error instanceof PolicyError || error instanceof UsageError) return EXIT.usage;
  if (error instanceof PathNotFoundError || error instanceof FileNotFoundError) return EXIT.notFound;
  if (error instanceof GitNotFoundError) return EXIT.unavailable;
  if (error instanceof GitError) return EXIT.badRepository;
  return null;
}

async function loadPolicies(path: string | undefined): Promise<PolicySet | null> {
  if (path === undefined) return null;
  const full = resolve(path);
  const info = await stat(full).catch(() => null);
  if (!info?.isFile()) throw new FileNotFoundError(`no such policy file: ${full}`);
  // Refused before reading: a policy is a few kilobytes, not whatever a path points at.
  if (info.size > MAX_POLICY_BYTES)
    throw new PolicyError(`${full}: the policy document is larger than ${MAX_POLICY_BYTES / 1024} KiB`);
  try {
    return parsePolicyText(await readFile(full, "utf8"));
  } catch (error) {
    if (error instanceof PolicyError) throw new PolicyError(`${full}: ${error.message}`);
    throw error;
  }
}

async function output(path: string | undefined, text: string): Promise<void> {
  if (path === undefined) return;
  if (path === "-") process.stdout.write(text);
  else await writeFile(resolve(path), text);
}

async function check(options: CheckOptions): Promise<number> {
  for (const [flag, value] of [
    ["--base", options.base],
    ["--head", options.head],
  ] as const) {
    if (value.trim() === "" || value.startsWith("-"))
      throw new UsageError(`invalid revision for ${flag}: ${value}`);
  }
  if (options.json === "-" && options.markdown === "-")
    throw new UsageError("--json and --markdown cannot both write to stdout");
  if (options.commitUrl !== undefined && !/^https?:\/\/\S+$/.test(options.commitUrl))
    throw new UsageError("--commit-url must be an http(s) URL, with {sha} where the commit goes");
  const policies = await loadPolicies(options.policy);
  const repo = await inspectRepository(options.repo, { revGiven: true });

  // The engine loads only when this command runs.
  const [{ runCheck }, { renderCheckText }, { renderCheckMarkdown }] = await Promise.all([
    import("../check/run-check.ts"),
    import("../check/render-text.ts"),
    import("../../core/policies/markdown.ts"),
  ]);
  const doc = await runCheck({ repo, base: options.base, head: options.head, policies });
  const template = options.commitUrl;
  const markdown = renderCheckMarkdown(doc, {
    commitUrl: template ? (sha) => template.replaceAll("{sha}", sha) : null,
  });
  await output(options.json, `${JSON.stringify(doc, null, 2)}\n`);
  await output(options.markdown, markdown);
  // The summary goes to stderr when stdout carries a document, so both stay readable.
  const text = renderCheckText(doc);
  if (options.json === "-" || options.markdown === "-") process.stderr.write(text);
  else process.stdout.write(text);
  return doc.conclusion === "failure" ? EXIT.policyFailed : EXIT.ok;
}

import { commentSyntaxFor } from "./normalise.ts";

// Rewrites of a file that change how it looks, not who wrote it: the robustness check scores
// held-out files before and after each and counts the verdicts that flip. Re-indenting and
// whitespace changes are what formatters do; stripping comments is what a person tidying an AI
// draft (or an AI told to be terse) does, and comments are where these features look hardest.

export const REFORMATS = ["reindent", "normalise-whitespace", "strip-comments"] as const;
export type Reformat = (typeof REFORMATS)[number];

function reindent(lines: readonly string[]): string[] {
  // Each leading space doubles and a tab becomes eight spaces: every indentation level changes.
  return lines.map((line) => {
    const indent = /^[ \t]*/.exec(line)?.[0] ?? "";
    return indent.replaceAll("\t", "        ").replaceAll(" ", "  ") + line.slice(indent.length);
  });
}

function normaliseWhitespace(lines: readonly string[]): string[] {
  return lines.filter((line) => line.trim() !== "").map((line) => line.trim().replace(/\s+/g, " "));
}

function stripComments(lines: readonly string[], path: string): string[] {
  const syntax = commentSyntaxFor(path);
  const marker = syntax === "hash" ? "#" : syntax === "dash" ? "--" : "//";
  const kept: string[] = [];
  let closing: string | null = null;
  for (const line of lines) {
    const t = line.trim();
    if (closing !== null) {
      if (t.includes(closing)) closing = null;
      continue;
    }
    if (t.startsWith(marker) && !/^#!|^#(include|define|if|endif|pragma)\b/.test(t)) continue;
    const opener =
      syntax === "hash"
        ? t.startsWith('"""')
          ? '"""'
          : t.startsWith("'''")
            ? "'''"
            : null
        : t.startsWith("/*")
          ? "*/"
          : null;
    if (opener !== null) {
      const rest = t.slice(opener === "*/" ? 2 : 3);
      if (!rest.includes(opener)) closing = opener;
      continue;
    }
    kept.push(line);
  }
  return kept;
}

export function reformatLines(lines: readonly string[], path: string, how: Reformat): string[] {
  if (how === "reindent") return reindent(lines);
  if (how === "normalise-whitespace") return normaliseWhitespace(lines);
  return stripComments(lines, path);
}

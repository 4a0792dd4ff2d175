import { z } from "zod";
import { badRequest } from "../errors.ts";
import type { GitAiNote } from "./types.ts";

// git-ai authorship note (refs/notes/ai), schema "authorship/3.x":
//
//   src/app.ts
//     1a2b3c4d5e6f7a8b 1-4,9-10
//   ---
//   {"schema_version":"authorship/3.0.0","base_commit_sha":"…","prompts":{"1a2b3c4d5e6f7a8b":{"agent_id":{…}}}}

const promptSchema = z.looseObject({
  agent_id: z
    .looseObject({
      tool: z.string().nullish(),
      id: z.string().nullish(),
      model: z.string().nullish(),
    })
    .nullish(),
  human_author: z.string().nullish(),
});

const metadataSchema = z.looseObject({
  schema_version: z.string().optional(),
  base_commit_sha: z.string().optional(),
  prompts: z.record(z.string(), promptSchema).default({}),
});

const RANGE_LINE = /^\s+([0-9a-f]{16})\s+(\d+(?:-\d+)?(?:\s*,\s*\d+(?:-\d+)?)*)\s*$/i;

function unquote(path: string): string {
  const p = path.trim();
  return p.length >= 2 && p.startsWith('"') && p.endsWith('"') ? p.slice(1, -1) : p;
}

/** Parses a git-ai note; throws `bad_request` naming the line when it is not one. */
export function parseGitAiNote(text: string): GitAiNote {
  const lines = text.split(/\r?\n/);
  const sep = lines.findIndex((l) => l.trim() === "---");
  const attestation = sep === -1 ? lines : lines.slice(0, sep);
  const files: GitAiNote["files"] = [];
  let current: GitAiNote["files"][number] | null = null;
  attestation.forEach((line, i) => {
    if (line.trim() === "") return;
    const range = RANGE_LINE.exec(line);
    if (range?.[1] !== undefined && range[2] !== undefined) {
      if (current === null) throw badRequest(`git-ai note line ${i + 1}: line ranges before any file path`);
      const promptId = range[1].toLowerCase();
      for (const part of range[2].split(",")) {
        const [a, b] = part.trim().split("-");
        const start = Number(a);
        const end = b === undefined ? start : Number(b);
        if (start < 1 || end < start)
          throw badRequest(`git-ai note line ${i + 1}: bad range "${part.trim()}"`);
        current.ranges.push({ promptId, start, end });
      }
      return;
    }
    if (/^\s/.test(line)) throw badRequest(`git-ai note line ${i + 1}: expected "<16-hex id> <ranges>"`);
    current = { path: unquote(line), ranges: [] };
    files.push(current);
  });

  const prompts: GitAiNote["prompts"] = {};
  if (sep !== -1) {
    const json = lines
      .slice(sep + 1)
      .join("\n")
      .trim();
    if (json !== "") {
      let raw: unknown;
      try {
        raw = JSON.parse(json);
      } catch {
        throw badRequest("git-ai note: the part after --- is not JSON");
      }
      const meta = metadataSchema.safeParse(raw);
      if (!meta.success)
        throw badRequest("git-ai note: metadata does not match authorship/3", {
          issues: meta.error.issues.length,
        });
      for (const [id, p] of Object.entries(meta.data.prompts)) {
        prompts[id.toLowerCase()] = {
          tool: p.agent_id?.tool ?? null,
          model: p.agent_id?.model ?? null,
          human: p.human_author ?? null,
        };
      }
    }
  }
  return { files, prompts };
}

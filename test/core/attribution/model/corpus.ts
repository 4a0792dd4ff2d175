import { seededRandom } from "../../../../src/core/attribution/model/logistic.ts";

// A synthetic corpus of small source files, for tests and for the model's measured figures. It is
// SYNTHETIC: real AI-written and human-written code overlaps more, and differs in ways this
// generator does not imitate. Files are built as a tree of statements and rendered with a layout
// style, so the same file can be re-rendered as a formatter would (indentation, quotes,
// semicolons, spacing, wrapping, trailing commas, blank lines) without changing what it says.
//
// Authorship shows only in content, as a per-file mix: each construct is written the "AI way"
// (descriptive names, explanatory comments, JSDoc/docstrings, guard clauses, try/catch with a
// logged error) with probability p, else the "human way" (short names, terse loops, TODO/XXX
// notes). AI files draw p from [0.4, 0.95], human files from [0.05, 0.6]: the classes overlap.
// Layout is deliberately confounded with the label, as in real repositories where AI tools run
// the formatter: 90% of AI files use the Prettier/Black layout, human files a random one.

export type Language = "ts" | "py";

type Node =
  | { t: "s"; text: string }
  | { t: "b"; head: string; body: Node[] }
  | { t: "try"; body: Node[]; handler: Node[] }
  | { t: "c"; text: string }
  | { t: "d"; lines: string[] }
  | { t: "blank" };

export interface LayoutStyle {
  indent: string;
  quote: "'" | '"';
  semicolons: boolean;
  tight: boolean;
  wrapAt: number;
  trailingComma: boolean;
  blankLines: boolean;
}

export const FORMATTER_STYLE: LayoutStyle = {
  indent: "  ",
  quote: '"',
  semicolons: true,
  tight: false,
  wrapAt: 60,
  trailingComma: true,
  blankLines: false,
};

export interface SyntheticFile {
  path: string;
  language: Language;
  label: "ai" | "human";
  /** Render the same file with another layout, as a formatter would. */
  render(style: LayoutStyle): string[];
  lines: string[];
}

const Q = "\u0001";
const NOUNS = [
  "user",
  "order",
  "invoice",
  "payment",
  "session",
  "account",
  "item",
  "cart",
  "product",
  "config",
  "request",
  "response",
  "token",
  "record",
  "entry",
  "report",
  "message",
  "event",
  "file",
  "cache",
  "job",
  "price",
  "amount",
  "page",
  "status",
  "customer",
  "address",
  "discount",
  "schedule",
  "metric",
];
const VERBS = [
  "get",
  "fetch",
  "load",
  "parse",
  "build",
  "create",
  "update",
  "delete",
  "validate",
  "format",
  "compute",
  "handle",
  "process",
  "normalize",
  "resolve",
  "sync",
  "check",
  "apply",
  "merge",
  "filter",
];
const ADJECTIVES = [
  "total",
  "valid",
  "active",
  "pending",
  "formatted",
  "current",
  "updated",
  "filtered",
  "normalized",
];
const SHORT = ["x", "n", "i", "res", "tmp", "cb", "acc", "ret", "data", "val", "o", "s", "k", "v", "buf"];
const HUMAN_COMMENTS = [
  "TODO: handle pagination",
  "FIXME breaks on empty input",
  "XXX hack for the old api",
  "see #412",
  "ugh, safari",
  "not sure why but tests fail without this",
  "perf: avoid realloc",
  "keep in sync with server",
  "n^2 but n is tiny",
  "copied from the v1 client",
  "backend returns strings here",
  "dont touch, see incident 7",
];
const AI_COMMENTS = [
  "Check if the {n} exists",
  "Initialize the {n} list",
  "Helper function to {v} the {n}",
  "Validate the input parameters",
  "Return the {a} {n}",
  "Handle the error gracefully",
  "Calculate the total {n}",
  "Iterate over each {n} and {v} it",
  "Ensure the {n} is valid before proceeding",
  "Log the error for debugging purposes",
  "Create a new {n} object",
  "Update the {n} with the new values",
];

type Random = () => number;

class Writer {
  readonly random: Random;
  readonly lang: Language;
  readonly p: number;
  constructor(random: Random, lang: Language, p: number) {
    this.random = random;
    this.lang = lang;
    this.p = p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)] as T;
  }
  ai(): boolean {
    return this.random() < this.p;
  }
  name(words: string[]): string {
    if (this.lang === "py") return words.join("_");
    return words.map((w, i) => (i === 0 ? w : w.charAt(0).toUpperCase() + w.slice(1))).join("");
  }
  /** A variable name: descriptive (AI) or short (human). */
  variable(): string {
    if (this.ai()) {
      const words =
        this.random() < 0.5
          ? [this.pick(ADJECTIVES), this.pick(NOUNS)]
          : [this.pick(NOUNS), this.pick(NOUNS)];
      if (this.random() < 0.4) words.push(this.pick(["data", "list", "map", "result", "value"]));
      return this.name(words);
    }
    return this.random() < 0.6 ? this.pick(SHORT) : this.pick(NOUNS);
  }
  fill(template: string): string {
    return template
      .replaceAll("{n}", this.pick(NOUNS))
      .replaceAll("{v}", this.pick(VERBS))
      .replaceAll("{a}", this.pick(ADJECTIVES));
  }
  comment(): Node | null {
    if (this.ai()) return this.random() < 0.55 ? { t: "c", text: this.fill(this.pick(AI_COMMENTS)) } : null;
    return this.random() < 0.12 ? { t: "c", text: this.pick(HUMAN_COMMENTS) } : null;
  }
  str(text: string): string {
    return `${Q}${text}${Q}`;
  }
}

function statements(w: Writer, vars: string[]): Node[] {
  const out: Node[] = [];
  const ts = w.lang === "ts";
  const v = w.variable();
  const other = vars.length ? w.pick(vars) : w.variable();
  const call =
    `${w.name([w.pick(VERBS), w.pick(NOUNS)])}(${other}, ${w.random() < 0.5 ? "NUM" : w.str(w.pick(NOUNS))})`.replace(
      "NUM",
      String(Math.floor(w.random() * 100)),
    );
  const kind = Math.floor(w.random() * 7);
  const comment = w.comment();
  if (comment) out.push(comment);
  switch (kind) {
    case 0:
      out.push({ t: "s", text: ts ? `const ${v} = ${w.ai() ? "await " : ""}${call}` : `${v} = ${call}` });
      break;
    case 1:
      if (w.ai()) {
        const msg = w.str(`${w.pick(NOUNS)} is required`);
        out.push(
          ts
            ? { t: "b", head: `if (!${other})`, body: [{ t: "s", text: `throw new Error(${msg})` }] }
            : { t: "b", head: `if not ${other}`, body: [{ t: "s", text: `raise ValueError(${msg})` }] },
        );
      } else {
        out.push(
          ts
            ? { t: "s", text: `if (!${other}) return` }
            : { t: "b", head: `if not ${other}`, body: [{ t: "s", text: "return None" }] },
        );
      }
      break;
    case 2: {
      const item = w.ai() ? w.name([w.pick(NOUNS)]) : w.pick(["x", "o", "it", "e"]);
      const body: Node[] = [{ t: "s", text: ts ? `${v}.push(${item})` : `${v}.append(${item})` }];
      if (w.ai()) {
        out.push(ts ? { t: "s", text: `const ${v} = []` } : { t: "s", text: `${v} = []` });
        out.push(
          ts
            ? { t: "b", head: `for (const ${item} of ${other})`, body }
            : { t: "b", head: `for ${item} in ${other}`, body },
        );
      } else {
        out.push(
          ts
            ? {
                t: "b",
                head: `for (let i = 0; i < ${other}.length; i++)`,
                body: [{ t: "s", text: `${v}.push(${other}[i])` }],
              }
            : { t: "s", text: `${v} = [${item} for ${item} in ${other} if ${item}]` },
        );
      }
      break;
    }
    case 3:
      if (w.ai()) {
        const error = ts ? "error" : "e";
        const log = ts
          ? `console.error(${w.str(`Error ${w.pick(VERBS)}ing ${w.pick(NOUNS)}:`)}, ${error})`
          : `logger.error(${w.str(`Error ${w.pick(VERBS)}ing ${w.pick(NOUNS)}: %s`)}, ${error})`;
        out.push({
          t: "try",
          body: [{ t: "s", text: ts ? `${v} = await ${call}` : `${v} = ${call}` }],
          handler: [
            { t: "s", text: log },
            { t: "s", text: ts ? `throw ${error}` : "raise" },
          ],
        });
      } else {
        out.push({ t: "s", text: ts ? `${v} = ${other} || {}` : `${v} = ${other} or {}` });
      }
      break;
    case 4:
      out.push({
        t: "s",
        text: w.ai()
          ? ts
            ? `const ${v} = ${other}.filter((${w.pick(NOUNS)}) => ${w.pick(NOUNS)}.${w.pick(["isActive", "isValid", "enabled"])})`
            : `${v} = [${w.pick(NOUNS)} for ${w.pick(NOUNS)} in ${other} if ${w.pick(NOUNS)}.is_valid]`
          : ts
            ? `${v} = ${other} ? ${other}.${w.pick(NOUNS)} : null`
            : `${v} = ${other}.${w.pick(NOUNS)} if ${other} else None`,
      });
      break;
    case 5:
      out.push({
        t: "s",
        text: ts
          ? `${v} += ${other}.${w.pick(NOUNS)} * ${Math.floor(w.random() * 10)}`
          : `${v} += ${other}.${w.pick(NOUNS)} * 2`,
      });
      break;
    default:
      out.push({
        t: "s",
        text: w.ai()
          ? ts
            ? `console.log(\`${w.pick(VERBS)}ed \${${other}.length} ${w.pick(NOUNS)}s\`)`
            : `logger.info(${w.str(`${w.pick(VERBS)}ed %d ${w.pick(NOUNS)}s`)}, len(${other}))`
          : ts
            ? `console.log(${other})`
            : `print(${other})`,
      });
  }
  vars.push(v);
  return out;
}

function functionNode(w: Writer): Node[] {
  const nodes: Node[] = [];
  const verb = w.pick(VERBS);
  const noun = w.pick(NOUNS);
  const fname = w.ai()
    ? w.name([verb, w.pick(ADJECTIVES), noun])
    : w.name(w.random() < 0.5 ? [verb] : [verb, noun]);
  const params = [w.variable(), w.variable()];
  if (w.ai() && w.random() < 0.75) {
    nodes.push({
      t: "d",
      lines:
        w.lang === "ts"
          ? [
              `${verb.charAt(0).toUpperCase()}${verb.slice(1)}s the ${noun} and returns the result.`,
              `@param ${params[0]} - The ${noun} to ${verb}`,
              `@returns The ${w.pick(ADJECTIVES)} ${noun}`,
            ]
          : [
              `${verb.charAt(0).toUpperCase()}${verb.slice(1)} the ${noun}.`,
              "",
              "Args:",
              `    ${params[0]}: The ${noun} to ${verb}.`,
              "",
              "Returns:",
              `    The ${w.pick(ADJECTIVES)} ${noun}.`,
            ],
    });
  } else if (w.random() < 0.15) {
    nodes.push({ t: "d", lines: [`${verb} ${noun}, ${w.pick(HUMAN_COMMENTS)}`] });
  }
  const body: Node[] = [];
  const vars = [...params];
  const count = 3 + Math.floor(w.random() * 6);
  for (let i = 0; i < count; i++) {
    body.push(...statements(w, vars));
    if (w.random() < 0.2) body.push({ t: "blank" });
  }
  body.push({ t: "s", text: `return ${w.pick(vars)}` });
  const head =
    w.lang === "ts"
      ? `export ${w.ai() ? "async " : ""}function ${fname}(${params.join(", ")})`
      : `def ${fname}(${params.join(", ")})`;
  nodes.push({ t: "b", head, body });
  return nodes;
}

// Rendering: what a formatter controls.

function splitArgs(text: string): { prefix: string; args: string[]; suffix: string } | null {
  const open = text.indexOf("(");
  if (open === -1) return null;
  let depth = 0;
  let inString = false;
  const args: string[] = [];
  let start = open + 1;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (c === Q) inString = !inString;
    if (inString) continue;
    if (c === "(" || c === "[") depth++;
    if (c === ")" || c === "]") depth--;
    if (depth === 1 && c === ",") {
      args.push(text.slice(start, i).trim());
      start = i + 1;
    }
    if (depth === 0) {
      args.push(text.slice(start, i).trim());
      return args.length >= 2 ? { prefix: text.slice(0, open + 1), args, suffix: text.slice(i) } : null;
    }
  }
  return null;
}

function renderNodes(
  nodes: readonly Node[],
  lang: Language,
  style: LayoutStyle,
  depth: number,
  out: string[],
): void {
  const pad = style.indent.repeat(depth);
  const code = (text: string) => {
    let t = text.replaceAll(Q, style.quote);
    if (style.tight) t = t.replace(/ (===|!==|==|\+=|=|\+|<|>|&&|\|\||\?|:) /g, "$1");
    return t;
  };
  const end = lang === "ts" && style.semicolons ? ";" : "";
  for (const node of nodes) {
    switch (node.t) {
      case "s": {
        const line = code(node.text);
        const split = pad.length + line.length > style.wrapAt ? splitArgs(node.text) : null;
        if (!split) {
          out.push(`${pad}${line}${end}`);
          break;
        }
        out.push(`${pad}${code(split.prefix)}`);
        split.args.forEach((arg, i) => {
          const last = i === split.args.length - 1;
          out.push(`${pad}${style.indent}${code(arg)}${!last || style.trailingComma ? "," : ""}`);
        });
        out.push(`${pad}${code(split.suffix)}${end}`);
        break;
      }
      case "b":
        out.push(lang === "ts" ? `${pad}${code(node.head)} {` : `${pad}${code(node.head)}:`);
        renderNodes(node.body, lang, style, depth + 1, out);
        if (lang === "ts") out.push(`${pad}}`);
        break;
      case "try":
        out.push(lang === "ts" ? `${pad}try {` : `${pad}try:`);
        renderNodes(node.body, lang, style, depth + 1, out);
        out.push(lang === "ts" ? `${pad}} catch (error) {` : `${pad}except Exception as e:`);
        renderNodes(node.handler, lang, style, depth + 1, out);
        if (lang === "ts") out.push(`${pad}}`);
        break;
      case "c":
        out.push(`${pad}${lang === "ts" ? "//" : "#"} ${node.text}`);
        break;
      case "d":
        if (lang === "ts") {
          if (node.lines.length === 1) out.push(`${pad}/** ${node.lines[0]} */`);
          else {
            out.push(`${pad}/**`);
            for (const l of node.lines) out.push(`${pad} * ${l}`.trimEnd());
            out.push(`${pad} */`);
          }
        } else {
          // Python docstrings live inside the function; close enough for features of added lines.
          out.push(`${pad}"""${node.lines[0] ?? ""}`);
          for (const l of node.lines.slice(1)) out.push(l ? `${pad}${l}` : "");
          out.push(`${pad}"""`);
        }
        break;
      case "blank":
        if (style.blankLines) out.push("");
        break;
    }
  }
}

function randomStyle(random: Random): LayoutStyle {
  return {
    indent: random() < 0.5 ? "    " : random() < 0.5 ? "\t" : "  ",
    quote: random() < 0.5 ? "'" : '"',
    semicolons: random() < 0.5,
    tight: random() < 0.4,
    wrapAt: random() < 0.5 ? 200 : 50,
    trailingComma: random() < 0.3,
    blankLines: random() < 0.7,
  };
}

export function generateFile(
  random: Random,
  label: "ai" | "human",
  lang: Language,
  index: number,
): SyntheticFile {
  const p = label === "ai" ? 0.4 + random() * 0.55 : 0.05 + random() * 0.55;
  const w = new Writer(random, lang, p);
  const nodes: Node[] = [];
  const functions = 1 + Math.floor(random() * 3);
  for (let i = 0; i < functions; i++) {
    if (i > 0) nodes.push({ t: "blank" });
    nodes.push(...functionNode(w));
  }
  const render = (style: LayoutStyle) => {
    const out: string[] = [];
    renderNodes(nodes, lang, style, 0, out);
    return out;
  };
  const style = label === "ai" && random() < 0.9 ? FORMATTER_STYLE : randomStyle(random);
  const dir = random() < 0.5 ? "src" : "lib";
  const path = `${dir}/${w.pick(NOUNS)}-${index}.${lang}`;
  return { path, language: lang, label, render, lines: render(style) };
}

export interface CorpusOptions {
  seed: number;
  perClass: number;
  repositories: number;
  /** Share of labels flipped, as real labels are noisy (a human edit in an AI-trailered commit). */
  labelNoise?: number;
}

export interface CorpusExample {
  file: SyntheticFile;
  /** The training label; with noise, the file's content may be the other class's. */
  label: "ai" | "human";
  repoId: string;
  committedAt: string;
}

/**
 * Human files dated 2018-01 to 2022-11, AI files 2023-01 to 2026-06, spread over repositories
 * that each use one language.
 */
export function generateCorpus(options: CorpusOptions): CorpusExample[] {
  const random = seededRandom(options.seed);
  const out: CorpusExample[] = [];
  const human = [Date.parse("2018-01-01"), Date.parse("2022-11-01")] as const;
  const ai = [Date.parse("2023-01-01"), Date.parse("2026-06-01")] as const;
  let index = 0;
  for (const label of ["human", "ai"] as const) {
    for (let i = 0; i < options.perClass; i++) {
      const repo = Math.floor(random() * options.repositories);
      const lang: Language = repo % 2 === 0 ? "ts" : "py";
      // A noisy example keeps its label and date but has the other class's content.
      const noisy = random() < (options.labelNoise ?? 0);
      const file = generateFile(random, noisy ? (label === "ai" ? "human" : "ai") : label, lang, index++);
      const [from, to] = label === "ai" ? ai : human;
      out.push({
        file,
        label,
        repoId: `repo-${repo}`,
        committedAt: new Date(from + random() * (to - from)).toISOString(),
      });
    }
  }
  return out;
}

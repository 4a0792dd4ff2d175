import { FEATURE_DIMENSIONS, FEATURE_VERSION } from "./constants.ts";
import { fnv1a } from "./hash.ts";
import { identifierWords, type NormalisedCode, normaliseAddedLines } from "./normalise.ts";
import { stripLabelEvidence } from "./strip-evidence.ts";

// Features of a file's added lines, all computed on normalised code (normalise.ts) so a formatter
// run changes none of them. Two blocks:
// - lexical: token unigrams and bigrams, identifier word pieces, comment words, bigrams and
//   openers ("helper function", "check if"), as log counts scaled to unit length so a long file
//   does not outvote a short one;
// - shape: comment density, identifier naming styles and lengths, tokens-per-statement
//   distribution, each a share in [0, 1].
// Names are hashed into FEATURE_DIMENSIONS slots (the hashing trick), so the model has no
// vocabulary to store or keep in sync.
//
// Three feature sets, named by the feature version a model stores. On real repositories the
// lexical set learned each project's vocabulary and era (docs/attribution-model.md, "On real
// code"), so the others drop it:
// - lexical: everything above;
// - structural: no identifier words or comment words; code tokens with every non-keyword
//   identifier read as ID (unigrams to trigrams), plus the shape block;
// - structural-comments: structural plus the comment words, bigrams and openers.
// Label evidence (trailers, tool names) is stripped from the lines first (strip-evidence.ts).

export const FEATURE_SETS = ["lexical", "structural", "structural-comments"] as const;
export type FeatureSet = (typeof FEATURE_SETS)[number];

/** Chosen on held-out real repositories (docs/attribution-model.md), not on training fit. */
export const DEFAULT_FEATURE_SET: FeatureSet = "structural-comments";

/** The feature version a model trained on this set stores; scoring refuses any other. */
export function featureVersionOf(set: FeatureSet): string {
  return `${FEATURE_VERSION}-${set}`;
}

export function featureSetOf(version: string): FeatureSet | null {
  return FEATURE_SETS.find((set) => featureVersionOf(set) === version) ?? null;
}

export interface FeatureVector {
  indices: number[];
  values: number[];
}

// Excluded from naming-style shares: every language's keywords are lowercase single words and
// would drown the signal.
const KEYWORDS = new Set(
  (
    "if else for while do return const let var function class def async await try catch except finally " +
    "raise throw new import from export default public private protected static void int string bool " +
    "boolean true false null none undefined self this in of is not and or lambda yield with as switch case " +
    "break continue interface type enum struct fn pub impl match mut use package func go defer elif pass " +
    "extends implements super typeof instanceof delete readonly number any unknown never object"
  ).split(" "),
);

const STATEMENT_BUCKETS = [3, 7, 15, 31] as const;

function featureIndex(name: string): number {
  return fnv1a(name) % FEATURE_DIMENSIONS;
}

function namingStyle(identifier: string): string {
  if (identifier.length === 1) return "single";
  if (/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/.test(identifier) || /^[A-Z]{2,}$/.test(identifier)) return "upper";
  if (/^_*[a-z][a-z0-9]*(_[a-z0-9]+)+$/.test(identifier)) return "snake";
  if (/^[a-z][a-z0-9]*[A-Z]/.test(identifier)) return "camel";
  if (/^[A-Z][a-z]/.test(identifier)) return "pascal";
  return "lower";
}

// Normalised identifiers are lowercase word pieces joined by "_"; keywords read the same.
const IDENTIFIER_TOKEN = /^[a-z0-9_$]+$/;

function abstractToken(token: string): string {
  return IDENTIFIER_TOKEN.test(token) && !KEYWORDS.has(token) ? "ID" : token;
}

function lexicalCounts(code: NormalisedCode, set: FeatureSet): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (name: string) => counts.set(name, (counts.get(name) ?? 0) + 1);
  if (set === "lexical") {
    const { tokens } = code;
    for (let i = 0; i < tokens.length; i++) {
      add(`u:${tokens[i]}`);
      if (i + 1 < tokens.length) add(`b:${tokens[i]} ${tokens[i + 1]}`);
    }
    for (const identifier of code.identifiers) {
      for (const word of identifierWords(identifier)) add(`w:${word}`);
    }
  } else {
    const tokens = code.tokens.map(abstractToken);
    for (let i = 0; i < tokens.length; i++) {
      add(`su:${tokens[i]}`);
      if (i + 1 < tokens.length) add(`sb:${tokens[i]} ${tokens[i + 1]}`);
      if (i + 2 < tokens.length) add(`st:${tokens[i]} ${tokens[i + 1]} ${tokens[i + 2]}`);
    }
  }
  if (set === "structural") return counts;
  for (const words of code.comments) {
    if (words.length === 0) continue;
    add(`cs:${words.slice(0, 2).join(" ")}`);
    for (let i = 0; i < words.length; i++) {
      add(`c:${words[i]}`);
      if (i + 1 < words.length) add(`cb:${words[i]} ${words[i + 1]}`);
    }
  }
  return counts;
}

function shapeFeatures(code: NormalisedCode): Map<string, number> {
  const shape = new Map<string, number>();
  const commentWordCount = code.comments.reduce((n, words) => n + words.length, 0);
  const total = commentWordCount + code.tokens.length;
  shape.set("d:comment-density", total === 0 ? 0 : commentWordCount / total);
  const statements = code.statementLengths.length;
  shape.set(
    "d:comments-per-statement",
    statements === 0 ? 0 : Math.min(1, code.comments.length / statements),
  );

  const named = code.identifiers.filter((id) => !KEYWORDS.has(id));
  if (named.length > 0) {
    const styles = new Map<string, number>();
    let words = 0;
    let long = 0;
    for (const id of named) {
      const style = namingStyle(id);
      styles.set(style, (styles.get(style) ?? 0) + 1);
      const n = identifierWords(id).length;
      words += n;
      if (n >= 3) long += 1;
    }
    for (const [style, n] of styles) shape.set(`d:naming:${style}`, n / named.length);
    shape.set("d:identifier-words", Math.min(1, (words / named.length - 1) / 3));
    shape.set("d:identifier-long", long / named.length);
  }

  if (statements > 0) {
    const histogram = new Array<number>(STATEMENT_BUCKETS.length + 1).fill(0);
    for (const length of code.statementLengths) {
      let bucket = STATEMENT_BUCKETS.findIndex((limit) => length <= limit);
      if (bucket === -1) bucket = STATEMENT_BUCKETS.length;
      histogram[bucket] = (histogram[bucket] ?? 0) + 1;
    }
    histogram.forEach((n, i) => {
      shape.set(`d:statement-tokens:${i}`, n / statements);
    });
  }
  return shape;
}

/** The hashed feature vector of one file's added lines, label evidence stripped first. */
export function extractFeatures(
  addedLines: readonly string[],
  path: string,
  set: FeatureSet = DEFAULT_FEATURE_SET,
): FeatureVector {
  const code = normaliseAddedLines(stripLabelEvidence(addedLines), path);
  const slots = new Map<number, number>();
  const add = (name: string, value: number) => {
    const index = featureIndex(name);
    slots.set(index, (slots.get(index) ?? 0) + value);
  };

  const lexical = lexicalCounts(code, set);
  let norm = 0;
  for (const n of lexical.values()) norm += Math.log1p(n) ** 2;
  norm = Math.sqrt(norm);
  if (norm > 0) for (const [name, n] of lexical) add(name, Math.log1p(n) / norm);
  for (const [name, value] of shapeFeatures(code)) if (value !== 0) add(name, value);

  const indices = [...slots.keys()].sort((a, b) => a - b);
  return { indices, values: indices.map((i) => slots.get(i) ?? 0) };
}

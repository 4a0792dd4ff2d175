import { MAX_LINES_PER_FILE } from "./constants.ts";

// Turns added lines into a representation a code formatter cannot change: whitespace, line breaks,
// quote style, semicolons, commas and parentheses are gone, string and number literals become
// placeholders, identifiers become their lowercased word pieces (`getUserName`, `get_user_name`
// and `GetUserName` all read `get_user_name`). Style classifiers that see raw layout learn the
// formatter, not the author (ai-signatures.md, "Precision traps").

export type CommentSyntax = "slash" | "hash" | "dash";

export interface NormalisedCode {
  /** Code tokens in order, across line breaks. */
  tokens: string[];
  /** Each identifier as its original spelling (for naming-style features). */
  identifiers: string[];
  /** Words of each comment (line comments, block comments, docstrings), lowercased. */
  comments: string[][];
  /** Tokens per logical statement (a statement may span several physical lines). */
  statementLengths: number[];
}

const HASH_EXTENSIONS = new Set([
  "py",
  "pyi",
  "rb",
  "sh",
  "bash",
  "zsh",
  "yml",
  "yaml",
  "toml",
  "r",
  "pl",
  "pm",
  "ex",
  "exs",
  "cr",
  "nim",
  "ps1",
  "coffee",
  "tf",
  "mk",
  "cmake",
  "jl",
  "tcl",
]);
const DASH_EXTENSIONS = new Set(["sql", "lua", "hs", "elm", "ada"]);

export function commentSyntaxFor(path: string): CommentSyntax {
  const name = path.slice(path.lastIndexOf("/") + 1).toLowerCase();
  if (name === "makefile" || name === "dockerfile" || name.endsWith(".dockerfile")) return "hash";
  const ext = name.includes(".") ? name.slice(name.lastIndexOf(".") + 1) : "";
  if (HASH_EXTENSIONS.has(ext)) return "hash";
  if (DASH_EXTENSIONS.has(ext)) return "dash";
  return "slash";
}

/** Word pieces of an identifier, lowercased: `parseHTTPResponse2` → parse, http, response, 2. */
export function identifierWords(identifier: string): string[] {
  return (identifier.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+/g) ?? []).map((w) => w.toLowerCase());
}

// Formatters add and remove these freely (trailing commas, optional semicolons, arrow-function
// parentheses, parenthesised JSX), so they carry no authorship information.
const DROPPED = new Set([";", ",", "(", ")"]);
const OPENERS = new Set(["(", "["]);
const CLOSERS = new Set([")", "]"]);
// A line ending in one of these, or a next line starting with one, continues the statement
// (formatters break long expressions at exactly these places).
const CONTINUES = new Set([
  "=",
  "+",
  "-",
  "*",
  "/",
  "%",
  "&&",
  "||",
  "??",
  "?",
  ":",
  ".",
  "?.",
  "=>",
  "|",
  "&",
  "+=",
  "-=",
  "==",
  "===",
  "!=",
  "!==",
  "<",
  ">",
  "<=",
  ">=",
  "->",
]);

const TOKEN =
  /\s+|\/\/|\/\*|#|--|"""|'''|"(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?|`(?:[^`\\]|\\.)*`?|0[xX][0-9a-fA-F_]+|\d[\d_]*(?:\.\d+)?(?:[eE][+-]?\d+)?|[A-Za-z_$][A-Za-z0-9_$]*|===|!==|\.\.\.|\*\*=|=>|==|!=|<=|>=|&&|\|\||\?\?|\?\.|::|->|\+\+|\+=|-=|\*=|\/=|\*\*|<<|>>|[^\s]/gy;

function commentWords(text: string): string[] {
  return (text.toLowerCase().match(/[a-z]+/g) ?? []).slice(0, 60);
}

export function normaliseAddedLines(addedLines: readonly string[], path: string): NormalisedCode {
  const syntax = commentSyntaxFor(path);
  const tokens: string[] = [];
  const identifiers: string[] = [];
  const comments: string[][] = [];
  const statementLengths: number[] = [];

  let inBlockComment = false;
  let inDocstring: '"""' | "'''" | null = null;
  let blockWords: string[] = [];
  let depth = 0;
  let statement = 0;
  let pendingEnd = false;
  let lastToken = "";

  const endStatement = () => {
    if (statement > 0) statementLengths.push(statement);
    statement = 0;
    pendingEnd = false;
  };
  const pushToken = (token: string) => {
    if (pendingEnd && !CONTINUES.has(token)) endStatement();
    pendingEnd = false;
    tokens.push(token);
    statement += 1;
    lastToken = token;
  };

  for (const raw of addedLines.slice(0, MAX_LINES_PER_FILE)) {
    const line = raw.trim();
    if (line === "") continue;

    if (inBlockComment || inDocstring) {
      const close = inDocstring ?? "*/";
      const at = line.indexOf(close);
      blockWords.push(...commentWords(at === -1 ? line : line.slice(0, at)));
      if (at === -1) continue;
      comments.push(blockWords);
      blockWords = [];
      inBlockComment = false;
      inDocstring = null;
      continue; // code after a closing delimiter on the same line is rare; ignoring it keeps state simple
    }

    TOKEN.lastIndex = 0;
    let match: RegExpExecArray | null = TOKEN.exec(line);
    while (match) {
      const text = match[0];
      // Only comment delimiters need the rest of the line; slicing it for every token is quadratic.
      const after = match.index + text.length;
      const rest = () => line.slice(after);
      if (/^\s/.test(text)) {
        // whitespace: nothing
      } else if (
        (text === "//" && syntax === "slash") ||
        (text === "#" && syntax === "hash") ||
        (text === "--" && syntax === "dash")
      ) {
        if (text === "#" && /^!|^(include|define|if|ifdef|ifndef|endif|pragma|import)\b/.test(rest())) {
          pushToken("#");
        } else {
          comments.push(commentWords(rest()));
          break;
        }
      } else if (text === "/*" && syntax === "slash") {
        const end = rest().indexOf("*/");
        if (end === -1) {
          inBlockComment = true;
          blockWords = commentWords(rest());
          break;
        }
        comments.push(commentWords(rest().slice(0, end)));
        TOKEN.lastIndex = match.index + text.length + end + 2;
        match = TOKEN.exec(line);
        continue;
      } else if ((text === '"""' || text === "'''") && syntax === "hash") {
        const end = rest().indexOf(text);
        if (end === -1) {
          inDocstring = text;
          blockWords = commentWords(rest());
          break;
        }
        comments.push(commentWords(rest().slice(0, end)));
        TOKEN.lastIndex = match.index + text.length + end + 3;
        match = TOKEN.exec(line);
        continue;
      } else if (
        text.startsWith('"') ||
        text.startsWith("'") ||
        text.startsWith("`") ||
        text === '"""' ||
        text === "'''"
      ) {
        pushToken("STR");
      } else if (/^\d/.test(text)) {
        pushToken("NUM");
      } else if (/^[A-Za-z_$]/.test(text)) {
        identifiers.push(text);
        const words = identifierWords(text);
        pushToken(words.length > 0 ? words.join("_") : "_");
      } else if (text === ";") {
        endStatement();
      } else if (text === "{" || text === "}") {
        pushToken(text);
        endStatement();
      } else {
        if (OPENERS.has(text)) depth += 1;
        if (CLOSERS.has(text)) depth = Math.max(0, depth - 1);
        if (!DROPPED.has(text)) pushToken(text);
      }
      match = TOKEN.exec(line);
    }
    // A physical line ends the statement unless brackets are open or an operator carries it on.
    if (depth === 0 && !CONTINUES.has(lastToken)) pendingEnd = true;
  }
  if (blockWords.length > 0) comments.push(blockWords);
  endStatement();
  return { tokens, identifiers, comments, statementLengths };
}

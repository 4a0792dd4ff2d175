// The one gitignore-style glob matcher of the product: tier rules, CODEOWNERS, .gitattributes and
// the seed all use it.
//   `*` any characters but `/`; `?` one such character; `**` any number of directories (`**/` at
//   the start or after a `/`), elsewhere any characters; `{a,b}` alternatives (not nested);
//   `[abc]`, `[a-z]`, `[!a-z]` one character of a set; a leading `/` or a `/` inside anchors the
//   pattern at the repository root, otherwise it matches at any depth; a pattern naming a directory
//   also matches everything under it; a trailing `/` matches only what is under the directory.
//
// Patterns come from anyone who can edit a repository's CODEOWNERS or an organization's settings,
// so matching must not backtrack: a pattern is compiled to a small automaton (Thompson's
// construction) and every path is run through all of its states at once, which costs
// O(pattern × path) whatever the pattern. (Translated to a RegExp, `**a**a**a…` took seconds per
// path, and a `[z-a]` class threw on every commit.)

/** Longest pattern accepted; tier-rule validation refuses longer ones, the parsers skip them. */
export const MAX_GLOB_LENGTH = 500;

/** Tells whether a path matches a compiled pattern. */
export type GlobMatcher = (path: string) => boolean;

// One instruction per slot of three parallel arrays: op, a, b.
const CHAR = 0; // a: the UTF-16 code unit it consumes
const NOT_SLASH = 1; // any code unit but `/`
const ANY = 2; // any code unit
const CLASS = 3; // a: index into the program's classes
const SPLIT = 4; // no input: continue at both a and b
const JUMP = 5; // no input: continue at a
const MATCH = 6;

const SLASH = 47;

interface CharClass {
  negated: boolean;
  /** Inclusive [low, high] code-unit pairs. */
  ranges: number[];
}

class Program {
  readonly op: number[] = [];
  readonly a: number[] = [];
  readonly b: number[] = [];
  readonly classes: CharClass[] = [];
  /** The longest run of plain characters every match contains (a cheap filter before the run). */
  required = "";
  #run = "";

  /** A plain character of the pattern's top level (not inside `{…}`): it extends the current run. */
  literal(c: string): void {
    this.emit(CHAR, c.charCodeAt(0));
    this.#run += c;
  }

  /** Anything but a top-level plain character ends the run of them. */
  endRun(): void {
    if (this.#run.length > this.required.length) this.required = this.#run;
    this.#run = "";
  }

  emit(op: number, a = 0, b = 0): number {
    this.op.push(op);
    this.a.push(a);
    this.b.push(b);
    return this.op.length - 1;
  }

  get next(): number {
    return this.op.length;
  }

  /** `[^/]*` or `.*`: a loop around one instruction. */
  star(op: typeof NOT_SLASH | typeof ANY): void {
    const split = this.emit(SPLIT);
    this.emit(op);
    this.emit(JUMP, split);
    this.a[split] = split + 1;
    this.b[split] = this.next;
  }

  /** `(?:.*\/)?`: nothing, or any characters ending in `/`. */
  optionalDirectories(): void {
    const split = this.emit(SPLIT);
    this.star(ANY);
    this.emit(CHAR, SLASH);
    this.a[split] = split + 1;
    this.b[split] = this.next;
  }
}

class GlobSyntaxError extends Error {}

/** One set `[...]`: its body without the brackets; `!` or `^` first negates it. */
function parseClass(body: string): CharClass {
  const negated = body.startsWith("!") || body.startsWith("^");
  const set = negated ? body.slice(1) : body;
  const ranges: number[] = [];
  for (let k = 0; k < set.length; k++) {
    const low = set.charCodeAt(k);
    if (set.charAt(k + 1) === "-" && k + 2 < set.length) {
      const high = set.charCodeAt(k + 2);
      if (high < low) throw new GlobSyntaxError(`character range "${set.slice(k, k + 3)}" is out of order`);
      ranges.push(low, high);
      k += 2;
    } else {
      ranges.push(low, low);
    }
  }
  return { negated, ranges };
}

/** Emits the body of a pattern (or of one `{…}` alternative: positions are relative to it). */
function compileBody(glob: string, program: Program, topLevel: boolean): void {
  for (let i = 0; i < glob.length; i++) {
    const c = glob.charAt(i);
    if (topLevel && !isPlain(glob, i)) program.endRun();
    if (c === "*") {
      if (glob.charAt(i + 1) === "*") {
        const atStart = i === 0 || glob.charAt(i - 1) === "/";
        i++;
        if (atStart && glob.charAt(i + 1) === "/") {
          program.optionalDirectories();
          i++;
        } else {
          program.star(ANY);
        }
      } else {
        program.star(NOT_SLASH);
      }
    } else if (c === "?") {
      program.emit(NOT_SLASH);
    } else if (c === "{" && glob.indexOf("}", i) !== -1) {
      const close = glob.indexOf("}", i);
      const alternatives = glob.slice(i + 1, close).split(",");
      const jumps: number[] = [];
      alternatives.forEach((alternative, k) => {
        const last = k === alternatives.length - 1;
        const split = last ? -1 : program.emit(SPLIT);
        if (split !== -1) program.a[split] = split + 1;
        compileBody(alternative, program, false);
        if (!last) jumps.push(program.emit(JUMP));
        if (split !== -1) program.b[split] = program.next;
      });
      for (const jump of jumps) program.a[jump] = program.next;
      i = close;
    } else if (c === "[" && glob.indexOf("]", i + 1) !== -1) {
      const close = glob.indexOf("]", i + 1);
      program.classes.push(parseClass(glob.slice(i + 1, close)));
      program.emit(CLASS, program.classes.length - 1);
      i = close;
    } else if (topLevel) {
      program.literal(c);
    } else {
      program.emit(CHAR, glob.charCodeAt(i));
    }
  }
  if (topLevel) program.endRun();
}

/** True when the character at i is matched as itself. */
function isPlain(glob: string, i: number): boolean {
  const c = glob.charAt(i);
  if (c === "*" || c === "?") return false;
  if (c === "{") return glob.indexOf("}", i) === -1;
  if (c === "[") return glob.indexOf("]", i + 1) === -1;
  return true;
}

function compileProgram(pattern: string): Program {
  if (pattern.length > MAX_GLOB_LENGTH)
    throw new GlobSyntaxError(`longer than ${MAX_GLOB_LENGTH} characters`);
  let p = pattern.trim();
  if (p === "") throw new GlobSyntaxError("empty pattern");
  const dirOnly = p.endsWith("/");
  if (dirOnly) p = p.slice(0, -1);
  const anchored = p.startsWith("/") || p.includes("/");
  let start = 0;
  while (p.charCodeAt(start) === SLASH) start++;
  const program = new Program();
  if (!anchored) program.optionalDirectories();
  compileBody(p.slice(start), program, true);
  // Directory patterns match their contents; other patterns the path itself or, if it names a
  // directory, anything below it.
  if (dirOnly) {
    program.emit(CHAR, SLASH);
    program.star(ANY);
  } else {
    const split = program.emit(SPLIT);
    program.emit(CHAR, SLASH);
    program.star(ANY);
    program.a[split] = split + 1;
    program.b[split] = program.next;
  }
  program.emit(MATCH);
  return program;
}

function inClass(cls: CharClass, c: number): boolean {
  const { ranges } = cls;
  let found = false;
  for (let k = 0; k < ranges.length && !found; k += 2) {
    found = c >= (ranges[k] as number) && c <= (ranges[k + 1] as number);
  }
  return found !== cls.negated;
}

const ASCII = 128;
/**
 * DFA states cached per pattern, and instructions in all their sets (plus transitions on non-ASCII
 * code units): a pattern's cache stays under about 64 KB. Past either, the cache is dropped and the
 * path is run on the automaton directly.
 */
const MAX_DFA_STATES = 64;
const MAX_CACHED_INSTRUCTIONS = 8192;
/** Times the cache may fill up before a pattern stops using it: its sets of states do not repeat. */
const MAX_OVERFLOWS = 2;
const DEAD = 1;
const ACCEPTING = 2;

/**
 * Runs every state of the program at once over the path: O(program × path), no backtracking. The
 * sets of states met are cached as a DFA built on the fly (as RE2 does), so a path usually costs one
 * table look-up per character.
 */
function matcherFor(program: Program): GlobMatcher {
  const op = Int8Array.from(program.op);
  const a = Int32Array.from(program.a);
  const b = Int32Array.from(program.b);
  const { classes, required } = program;
  const size = op.length;
  const matchPc = size - 1;
  let prefix = "";
  for (let pc = 0; op[pc] === CHAR; pc++) prefix += String.fromCharCode(a[pc] as number);
  // Scratch space (matching is synchronous).
  let current = new Int32Array(size);
  let next = new Int32Array(size);
  const seen = new Uint32Array(size);
  const stack = new Int32Array(size);
  const bits = new Uint16Array(Math.ceil(size / 16));
  let generation = 0;

  const nextGeneration = () => {
    generation = (generation + 1) >>> 0;
    if (generation === 0) {
      seen.fill(0);
      generation = 1;
    }
  };

  /** Adds `pc` and every instruction reachable from it without input to `list`; returns the new count. */
  const add = (list: Int32Array, count: number, pc: number): number => {
    if (seen[pc] === generation) return count;
    seen[pc] = generation;
    let n = count;
    let top = 0;
    stack[top++] = pc;
    while (top > 0) {
      const at = stack[--top] as number;
      const o = op[at];
      if (o === SPLIT || o === JUMP) {
        // Each instruction is stacked at most once per generation, so the stack never overflows.
        const x = a[at] as number;
        const y = b[at] as number;
        if (o === SPLIT && seen[y] !== generation) {
          seen[y] = generation;
          stack[top++] = y;
        }
        if (seen[x] !== generation) {
          seen[x] = generation;
          stack[top++] = x;
        }
      } else {
        list[n++] = at;
      }
    }
    return n;
  };

  /** The states after reading code unit c in the `count` states of `from`, into `to`. */
  const advance = (from: Int32Array, count: number, c: number, to: Int32Array): number => {
    nextGeneration();
    let n = 0;
    for (let k = 0; k < count; k++) {
      const pc = from[k] as number;
      const o = op[pc];
      const takes =
        o === ANY ||
        (o === NOT_SLASH && c !== SLASH) ||
        (o === CHAR && c === a[pc]) ||
        (o === CLASS && inClass(classes[a[pc] as number] as CharClass, c));
      if (takes) n = add(to, n, pc + 1);
    }
    return n;
  };

  /** The automaton alone from position i on, starting in the `count` states of `current`. */
  const simulate = (path: string, i: number, count: number): boolean => {
    let n = count;
    for (let k = i; k < path.length && n > 0; k++) {
      n = advance(current, n, path.charCodeAt(k), next);
      const swap = current;
      current = next;
      next = swap;
    }
    for (let k = 0; k < n; k++) if (current[k] === matchPc) return true;
    return false;
  };

  // The DFA: state i stands for the set of instructions sets[i]; its transition on an ASCII code
  // unit c is ascii[i * ASCII + c] (-1 until computed), on any other in other[i].
  let sets: Int32Array[] = [];
  let flags: number[] = [];
  let other: Array<Map<number, number>> = [];
  let ascii = new Int32Array(4 * ASCII).fill(-1);
  let index = new Map<string, number>();
  let start = -1;
  let cachedInstructions = 0;
  let overflows = 0;

  const dropCache = () => {
    start = -1;
    cachedInstructions = 0;
    sets = [];
    flags = [];
    other = [];
    ascii = new Int32Array(4 * ASCII).fill(-1);
    index = new Map();
    overflows++;
  };

  /** The DFA state for the `count` states in `current`, or -1 when the cache is full. */
  const intern = (count: number): number => {
    bits.fill(0);
    for (let k = 0; k < count; k++) {
      const pc = current[k] as number;
      bits[pc >>> 4] = (bits[pc >>> 4] as number) | (1 << (pc & 15));
    }
    const key = String.fromCharCode(...bits);
    const known = index.get(key);
    if (known !== undefined) return known;
    if (sets.length >= MAX_DFA_STATES || cachedInstructions + count > MAX_CACHED_INSTRUCTIONS) return -1;
    cachedInstructions += count;
    const id = sets.length;
    sets.push(current.slice(0, count));
    flags.push((count === 0 ? DEAD : 0) | (seen[matchPc] === generation ? ACCEPTING : 0));
    other.push(new Map());
    index.set(key, id);
    if ((id + 1) * ASCII > ascii.length) {
      const grown = new Int32Array(ascii.length * 2).fill(-1);
      grown.set(ascii);
      ascii = grown;
    }
    return id;
  };

  return (path: string): boolean => {
    if (!path.startsWith(prefix) || !path.includes(required)) return false;
    if (start === -1 || overflows >= MAX_OVERFLOWS) {
      nextGeneration();
      const initial = add(current, 0, 0);
      if (overflows >= MAX_OVERFLOWS) return simulate(path, 0, initial);
      start = intern(initial);
      if (start === -1) {
        dropCache();
        return simulate(path, 0, initial);
      }
    }
    let s = start;
    for (let i = 0; i < path.length; i++) {
      const c = path.charCodeAt(i);
      let t = c < ASCII ? (ascii[s * ASCII + c] as number) : (other[s]?.get(c) ?? -1);
      if (t === -1) {
        const set = sets[s] as Int32Array;
        const count = advance(set, set.length, c, current);
        t = intern(count);
        if (t === -1) {
          dropCache();
          return simulate(path, i + 1, count);
        }
        if (c < ASCII) {
          ascii[s * ASCII + c] = t;
        } else if (cachedInstructions < MAX_CACHED_INSTRUCTIONS) {
          // Other code units share the budget, so a path of ten thousand distinct ones is not cached.
          other[s]?.set(c, t);
          cachedInstructions++;
        }
      }
      s = t;
      if (flags[s] === DEAD) return false;
    }
    return ((flags[s] as number) & ACCEPTING) !== 0;
  };
}

function compileOrError(pattern: string): Program | string {
  try {
    return compileProgram(pattern);
  } catch (error) {
    if (error instanceof GlobSyntaxError) return error.message;
    throw error;
  }
}

/** Why the pattern is not a glob this matcher accepts, or null when it is one. */
export function globError(pattern: string): string | null {
  const compiled = compileOrError(pattern);
  return typeof compiled === "string" ? compiled : null;
}

const cache = new Map<string, GlobMatcher | null>();
const CACHE_LIMIT = 10_000;

/** The compiled pattern, or null when it is not a valid glob (`globError` says why). */
export function compileGlob(pattern: string): GlobMatcher | null {
  const cached = cache.get(pattern);
  if (cached !== undefined) return cached;
  const compiled = compileOrError(pattern);
  const matcher = typeof compiled === "string" ? null : matcherFor(compiled);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(pattern, matcher);
  return matcher;
}

/** True when the path matches the pattern; an invalid pattern matches nothing. */
export function matchesGlob(path: string, pattern: string): boolean {
  return compileGlob(pattern)?.(path) ?? false;
}

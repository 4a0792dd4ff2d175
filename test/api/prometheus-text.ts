// A strict reader of Prometheus' text exposition format (version 0.0.4), so tests check that what
// /metrics serves would be accepted by a Prometheus server, not just that some text came back.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\[\\"n])*)"(,|$)/y;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);

/** Parses the whole text; throws naming the first line that breaks the format. */
export function parseExposition(text: string): Sample[] {
  if (!text.endsWith("\n")) throw new Error("exposition must end with a newline");
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  text
    .slice(0, -1)
    .split("\n")
    .forEach((line, i) => {
      const fail = (why: string) => new Error(`line ${i + 1} (${why}): ${line}`);
      if (line === "") return;
      if (line.startsWith("#")) {
        const [, keyword, name, rest] = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line) ?? [];
        if (!keyword || !name || !NAME.test(name)) throw fail("bad comment");
        if (keyword === "TYPE") {
          if (!TYPES.has(rest ?? "")) throw fail("unknown type");
          if (types.has(name)) throw fail("type declared twice");
          types.set(name, rest ?? "");
        }
        return;
      }
      const match = SAMPLE.exec(line);
      if (!match) throw fail("not a sample");
      const [, name = "", labelText = "", valueText = ""] = match;
      const family = [name, name.replace(/_(bucket|sum|count)$/, "")].find((n) => types.has(n));
      if (!family) throw fail("sample before its TYPE");
      const labels: Record<string, string> = {};
      LABEL.lastIndex = 0;
      while (LABEL.lastIndex < labelText.length) {
        const start = LABEL.lastIndex;
        const label = LABEL.exec(labelText);
        if (!label || label.index !== start) throw fail("bad label");
        labels[label[1] ?? ""] = (label[2] ?? "").replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
      }
      // Prometheus reads values with Go's ParseFloat: NaN and Inf in any case (prom-client writes "Nan").
      const special = /^([+-]?)(inf|infinity|nan)$/i.exec(valueText);
      const value = special
        ? special[2]?.toLowerCase() === "nan"
          ? Number.NaN
          : special[1] === "-"
            ? -Infinity
            : Infinity
        : Number(valueText);
      if (Number.isNaN(value) && !special) throw fail("bad value");
      samples.push({ name, labels, value });
    });
  return samples;
}

/** The value of the one sample with this name and (at least) these labels; 0 when there is none. */
export function sampleValue(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value ?? 0;
}

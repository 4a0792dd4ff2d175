// A one-line progress bar on stderr, drawn only on a terminal (never when piped, so logs and
// `--json > file` stay clean). Redraws at most ten times a second.

export interface Progress {
  tick(done: number): void;
  done(): void;
}

const silent: Progress = { tick() {}, done() {} };

export function createProgress(
  total: number,
  stream: NodeJS.WriteStream = process.stderr,
  label = "analysing",
): Progress {
  if (!stream.isTTY || total <= 0) return silent;
  let last = 0;
  let drawn = false;
  const width = 30;
  const started = Date.now();
  const draw = (done: number) => {
    const fraction = Math.min(1, done / total);
    const filled = Math.round(fraction * width);
    const elapsed = (Date.now() - started) / 1000;
    const rate = elapsed > 0 ? Math.round(done / elapsed) : 0;
    stream.write(
      `\r${label} [${"█".repeat(filled)}${"░".repeat(width - filled)}] ${done}/${total} commits · ${rate}/s\u001b[K`,
    );
    drawn = true;
  };
  return {
    tick(done) {
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      draw(done);
    },
    done() {
      if (drawn) stream.write("\r\u001b[K");
    },
  };
}

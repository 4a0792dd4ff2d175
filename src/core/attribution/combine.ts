import type { Signal } from "./signals.ts";

/** At or above this confidence the evidence counts the lines as AI-written; below, they stay unknown. */
export const AI_LINE_THRESHOLD = 0.5;

/**
 * Noisy-OR: 1 − Π(1 − w) over independent pieces of evidence. Repeats of one kind (the same
 * detector naming the same tool, e.g. the trailer on each of a PR's ten commits) are one piece of
 * evidence, counted once at their highest weight, so they cannot inflate the confidence.
 */
export function combineSignals(signals: readonly Signal[]): number | null {
  if (signals.length === 0) return null;
  const strongest = new Map<string, number>();
  for (const s of signals) {
    const key = `${s.detector}\u0000${s.tool ?? ""}`;
    const prev = strongest.get(key);
    if (prev === undefined || s.weight > prev) strongest.set(key, s.weight);
  }
  let miss = 1;
  for (const w of strongest.values()) miss *= 1 - w;
  return round(1 - miss);
}

/** Four decimals: stable in JSON, enough to tell 0.9 from 0.99. */
export function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

/** The strongest signal naming a tool, and the strongest naming a model (preferably of that tool). */
export function strongestToolAndModel(signals: readonly Signal[]): {
  tool: string | null;
  model: string | null;
} {
  let best: Signal | null = null;
  for (const s of signals)
    if (s.tool !== null && s.weight > 0 && (best === null || s.weight > best.weight)) best = s;
  let bestModel: Signal | null = null;
  for (const s of signals) {
    if (s.model === null || s.weight <= 0) continue;
    const sameTool = best !== null && s.tool === best.tool;
    const bestSameTool = bestModel !== null && best !== null && bestModel.tool === best.tool;
    if (
      bestModel === null ||
      (sameTool && !bestSameTool) ||
      (sameTool === bestSameTool && s.weight > bestModel.weight)
    ) {
      bestModel = s;
    }
  }
  return { tool: best?.tool ?? bestModel?.tool ?? null, model: bestModel?.model ?? null };
}

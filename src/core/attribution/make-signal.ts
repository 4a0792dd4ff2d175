import type { Signal } from "./signals.ts";

const MAX_EVIDENCE = 2000;

/** A signal with its evidence trimmed to what the schema stores. */
export function makeSignal(
  detector: string,
  tool: string | null,
  model: string | null,
  evidence: string,
  weight: number,
): Signal {
  return {
    detector,
    tool,
    model,
    evidence: evidence.length > MAX_EVIDENCE ? `${evidence.slice(0, MAX_EVIDENCE - 1)}…` : evidence,
    weight,
  };
}

// The seam between the heuristic engine and a trained classifier (src/core/attribution/model/).
// The engine only ever calls `score` on files with no other evidence, and caps what it returns.

export interface FileScorer {
  /** Which trained model this is; stored beside every number it produces. */
  version: string;
  /** Probability (0–1) that the added lines were written by AI. */
  score(addedLines: string[], path: string): number;
  /**
   * The operating threshold chosen on held-out human code (≤ 5% false positives): lines count as AI
   * only at or above it. Without one, the engine's usual 0.5 applies.
   */
  threshold?: number;
}

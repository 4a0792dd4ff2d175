/**
 * Hands batches to an async sink with at most one call in flight: the producer (git and the
 * engine) goes on while a batch is written, a slow sink slows the producer down, and memory stays
 * bounded. A failure surfaces at the next send or drain.
 */
export class PipelinedSink<Batch> {
  readonly #sink: (batch: Batch) => Promise<void>;
  #inFlight: Promise<void> | null = null;
  #failure: { error: unknown } | null = null;

  constructor(sink: (batch: Batch) => Promise<void>) {
    this.#sink = sink;
  }

  /** Waits for the previous batch to be written, then starts writing this one. */
  async send(batch: Batch): Promise<void> {
    await this.drain(true);
    this.#inFlight = this.#sink(batch).catch((error: unknown) => {
      this.#failure = { error };
    });
  }

  /** Waits for the batch in flight; rethrows its failure when asked to. */
  async drain(rethrow: boolean): Promise<void> {
    await this.#inFlight;
    this.#inFlight = null;
    if (rethrow && this.#failure) throw this.#failure.error;
  }
}

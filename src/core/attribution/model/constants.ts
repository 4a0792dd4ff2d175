// The model's fixed policy, in one place so the engine, the service, the CLI and the docs agree.

/** The model never claims more than this: below every strong heuristic signal. */
export const MAX_MODEL_CONFIDENCE = 0.6;

/** The model stays off until the organization has at least this many labelled files of each class. */
export const MIN_EXAMPLES_PER_CLASS = 200;

/** Commits before this instant (ChatGPT's public release) are labelled human. */
export const AI_ERA_START = "2022-11-30T00:00:00Z";

/** Heuristic confidence at or above which a file is an AI training label. */
export const AI_LABEL_MIN_CONFIDENCE = 0.9;

/**
 * The operating threshold is chosen so at most this share of human training files (scored out of
 * fold) reach it: a model that calls 1 human file in 20 AI misleads more than it informs.
 */
export const TARGET_FALSE_POSITIVE_RATE = 0.01;

/**
 * A newly trained model becomes active on its own only when, on repositories it never saw, at
 * most this share of human files reach its threshold…
 */
export const ACTIVATION_MAX_FALSE_POSITIVE_RATE = 0.01;

/** …and it still catches at least this share of AI files there. Below it the model stays off. */
export const ACTIVATION_MIN_RECALL = 0.2;

/** Bumped whenever normalisation or feature extraction changes: old weights then no longer apply. */
export const FEATURE_VERSION = "f2";

/** Size of the hashed feature space (2^18); weights are stored sparsely. */
export const FEATURE_DIMENSIONS = 1 << 18;

/** Only the first lines of a huge file are read: enough for style, bounded cost. */
export const MAX_LINES_PER_FILE = 400;

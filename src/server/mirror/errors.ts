/** Why a mirror cannot serve a repository right now; the caller attributes through REST instead. */
export type MirrorUnavailableReason =
  /** The mirror directory cannot be created or written (permissions, read-only disk, not a directory). */
  | "unwritable"
  /** The installation token was refused (expired, revoked): 401. */
  | "auth"
  /** The token may not read the repository, or it is gone: 403/404. */
  | "permission"
  /** The git server could not be reached or the transfer stalled. */
  | "network"
  /** The clone URL is not one we send a token to (not HTTPS, credentials in it). */
  | "invalid_url"
  /** Another process held the repository's lock for longer than we wait. */
  | "busy"
  /** Anything else git reported (the message says what). */
  | "git";

/**
 * The mirror cannot be used. `message` is one line a person can act on and never contains the
 * token; `reason` is what a caller records (e.g. in `detection_signals`) before falling back to REST.
 */
export class MirrorUnavailableError extends Error {
  override name = "MirrorUnavailableError";
  readonly reason: MirrorUnavailableReason;

  constructor(reason: MirrorUnavailableReason, message: string) {
    super(message);
    this.reason = reason;
  }
}

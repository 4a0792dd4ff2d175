/** The database could not be reached; its own module so entry points can catch it without loading a driver. */
export class DatabaseUnavailableError extends Error {
  override name = "DatabaseUnavailableError";
}

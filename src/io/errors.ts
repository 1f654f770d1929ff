/** Errors of the checkpoint layer: one class, messages meant for the user as they are. */

/** a checkpoint could not be read or written (corrupt, unsupported, refused or mismatched) */
export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

/**
 * Runs `fn` and turns anything it throws that is not a CheckpointError (RangeError from a
 * typed array, TypeError from a malformed structure, ...) into one that names `what`.
 */
export function wrapErrors<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof CheckpointError) {
      if (err.message.startsWith(what)) throw err;
      throw new CheckpointError(`${what}: ${err.message}`, { cause: err });
    }
    const msg = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    throw new CheckpointError(`${what}: corrupt or unsupported file (${msg})`, { cause: err });
  }
}

/** a name for an error message: JSON-quoted (control characters escaped), cut to `max` characters */
export function quote(s: string, max = 80): string {
  return JSON.stringify(s.length > max ? `${s.slice(0, max)}...` : s);
}

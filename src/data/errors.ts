/** Errors about dataset files: the message is meant for the user as it is (no stack trace needed). */
export class DataError extends Error {
  override name = 'DataError';
}

/** one line "file: problem" error */
export function corrupt(file: string, problem: string): DataError {
  return new DataError(`${file}: ${problem}`);
}

/**
 * How long jobs (training epochs, evaluation settings, the threshold search) report progress:
 * the caller passes a `StartProgress` down and the library only calls it. The CLI's draws a bar
 * or log lines with ETA (src/cli/progress.ts); library users pass their own or none. Portable.
 */

/** the progress of one phase */
export interface ProgressReporter {
  /** `done` units so far; `fields` a short status shown after the counts */
  update(done: number, fields?: string): void;
  stop(): void;
}

/** starts a phase of `total` units (images unless `unit` says otherwise) */
export type StartProgress = (label: string, total: number, unit?: string) => ProgressReporter;

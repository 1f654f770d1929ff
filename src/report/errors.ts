/** A report input that cannot be used: its message names the file and the problem, for one line. */
export class ReportInputError extends Error {}

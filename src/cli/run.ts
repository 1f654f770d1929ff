/** Runs a commander program so that user errors print one line and exit non-zero. */
import type { Command } from 'commander';

/** an error whose message is meant for the user as it is (no stack trace) */
export class UserError extends Error {}

export async function runCli(program: Command, argv: string[]): Promise<void> {
  // `hire-snn inspect big.pt | head`: a closed pipe ends the output, it is not an error
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  program.exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    const e = err as { code?: string; exitCode?: number; message?: string };
    if (typeof e.code === 'string' && e.code.startsWith('commander.')) {
      // commander already printed its message (help, version or a usage error)
      process.exitCode = e.exitCode ?? 1;
      return;
    }
    if (process.env.HIRE_SNN_DEBUG) console.error(err);
    console.error(`hire-snn: ${e.message ?? String(err)}`);
    process.exitCode = 1;
  }
}

/**
 * `hire-snn sweep GRID.yaml`: a grid of train and eval cells, locally or on Slurm; and the
 * hidden `hire-snn sweep-cell CELLDIR` that runs one cell (what the executors start).
 */
import os from 'node:os';
import type { Command } from 'commander';
import { UserError } from './run.js';
import { nonNegativeInt, positiveInt, positiveNumber, oneOf } from './options.js';
import { createProgress } from './progress.js';
import { runSweep, EXECUTORS, type ExecutorName } from '../sweep/run.js';
import { runCellAttempt } from '../sweep/run-cell.js';
import { readCellSpec } from '../sweep/cell-dir.js';
import { runCellWithRetries, EXIT_BUSY, EXIT_STOPPED } from '../sweep/attempts.js';
import { describeCell } from '../sweep/ui.js';

interface SweepOptions {
  executor: ExecutorName;
  workers: number;
  out?: string;
  retries: number;
  dryRun: boolean;
  slurmOpts: string;
  poll: number;
}

/** Ctrl-C / SIGTERM set a flag the job checks; a second one quits at once */
function stopOnSignals(what: string): { stop: () => boolean; release: () => void } {
  let stop = false;
  const on = (signal: NodeJS.Signals) => {
    if (stop) process.exit(EXIT_STOPPED);
    stop = true;
    if (signal === 'SIGINT') console.error(`\nhire-snn: Ctrl-C, ${what} (Ctrl-C again to quit at once)`);
  };
  process.on('SIGINT', on);
  process.on('SIGTERM', on);
  return { stop: () => stop, release: () => (process.off('SIGINT', on), process.off('SIGTERM', on)) };
}

export function registerSweep(program: Command): void {
  program
    .command('sweep')
    .argument('<grid>', 'grid file (YAML): stages of train / eval configs and the axes they vary (examples/sweeps/)')
    .description('run a grid of train and eval cells, locally or on a Slurm cluster; results.json, results.csv')
    .option('--executor <e>', EXECUTORS.join(' | '), oneOf('--executor', EXECUTORS), 'local')
    .option('--workers <n>', 'local: cells run at once (each with cores/n OpenMP threads)', positiveInt('--workers'), 1)
    .option('--out <dir>', 'sweep directory (default runs/sweeps/<grid name>)')
    .option('--retries <k>', 'attempts after the first for a failing cell', nonNegativeInt('--retries'), 1)
    .option('--dry-run', 'print the cells (and the Slurm job scripts) without running anything', false)
    .option('--slurm-opts <opts>', 'slurm: sbatch options for every job, e.g. "--partition=short --time=2:00:00 --mem=8G"', '')
    .option('--poll <seconds>', 'slurm: how often to poll squeue', positiveNumber('--poll'), 15)
    .action(async (grid: string, raw: SweepOptions) => {
      const signals = stopOnSignals('stopping the running cells (they save and resume next time)');
      try {
        const summary = await runSweep(
          {
            grid, out: raw.out, executor: raw.executor, workers: raw.workers, retries: raw.retries, dryRun: raw.dryRun,
            slurm: { opts: raw.slurmOpts.split(/\s+/).filter(Boolean), pollSeconds: raw.poll },
          },
          { ui: { progress: (total) => createProgress('sweep', total, 'cells'), log: (line) => console.error(line) }, shouldStop: signals.stop, print: (t) => console.log(t) },
        );
        if (summary.status === 'dry-run') return;
        const again = `hire-snn sweep ${grid}${raw.out ? ` --out ${raw.out}` : ''}`;
        if (summary.status === 'stopped') {
          console.error(`hire-snn: sweep stopped; ${again} continues it`);
          process.exitCode = EXIT_STOPPED;
          return;
        }
        const ok = summary.cells - summary.failed.length - summary.notRun.length;
        const files = summary.files!;
        console.log([`${ok}/${summary.cells} cells done`, files.json, files.csv, ...(files.report ? [files.report] : [])].join(' | '));
        if (summary.failed.length || summary.notRun.length) {
          for (const r of summary.failed) console.error(`failed: ${describeCell({ ...r, id: r.cell })}: ${r.error} (log: ${summary.out}/cells/${r.cell}/log.txt)`);
          throw new UserError(`${summary.failed.length} cell(s) failed, ${summary.notRun.length} not run; ${again} retries them`);
        }
      } finally {
        signals.release();
      }
    });

  program
    .command('sweep-cell', { hidden: true })
    .argument('<celldir>', 'DIR/cells/<id>')
    .description('run one sweep cell (started by hire-snn sweep and its Slurm jobs)')
    .option('--attempt <n>', 'run one attempt in this process', positiveInt('--attempt'))
    .option('--retries <k>', 'run attempts (each its own process) until done or k retries are used', nonNegativeInt('--retries'), 0)
    .action(async (dir: string, raw: { attempt?: number; retries: number }) => {
      const spec = readCellSpec(dir);
      if (raw.attempt === undefined) {
        const signals = stopOnSignals('stopping the cell');
        const outcome = await runCellWithRetries(dir, { retries: raw.retries, shouldStop: signals.stop, onRetry: (a, e) => console.error(`attempt ${a} failed: ${e}; retrying`) });
        signals.release();
        if (outcome.status === 'stopped') process.exitCode = EXIT_STOPPED;
        if (outcome.status === 'failed') throw new UserError(`cell ${spec.id} failed after ${outcome.attempts} attempt(s): ${outcome.error}`);
        return;
      }
      console.error(`cell ${describeCell(spec)} on ${os.hostname()}, attempt ${raw.attempt}`);
      // a training cell saves its state when asked to stop; evaluation has nothing to save
      const signals = spec.kind === 'train' ? stopOnSignals('saving the training state') : undefined;
      try {
        const outcome = await runCellAttempt(dir, {
          attempt: raw.attempt, shouldStop: signals?.stop,
          ui: { progress: (label, total, unit) => createProgress(label, total, unit), log: (line) => console.error(line) },
        });
        if (outcome === 'busy') process.exitCode = EXIT_BUSY;
        if (outcome === 'stopped') process.exitCode = EXIT_STOPPED;
      } finally {
        signals?.release();
      }
    });
}


/** `hire-snn report`: a self-contained HTML report (charts and tables) from eval results and training runs. */
import type { Command } from 'commander';
import path from 'node:path';
import { UserError } from './run.js';
import { writeReport } from '../report/build.js';
import { checkOutputFile } from '../io/output-path.js';

/** -o is checked before any input is read: a file that can be written, and not one of the inputs */
function checkOutput(out: string, inputs: readonly string[]): void {
  checkOutputFile(out, '-o');
  if (inputs.some((i) => path.resolve(i) === path.resolve(out))) throw new UserError(`-o ${out}: is also an input`);
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('one self-contained HTML report (charts and tables) from eval results and training runs')
    .argument('<inputs...>', 'eval result JSON files (hire-snn eval --json) and training run folders (hire-snn train --out)')
    .option('-o, --out <file>', 'the HTML file to write', 'report.html')
    .option('--title <text>', 'the page title', 'hire-snn report')
    .action(async (inputs: string[], opts: { out: string; title: string }) => {
      checkOutput(opts.out, inputs);
      const r = await writeReport(inputs, opts.out, { title: opts.title });
      const kib = (r.bytes / 1024).toFixed(0);
      console.log(`wrote ${opts.out} (${r.charts} charts, ${r.inputs.evals.length} eval results, ${r.inputs.runs.length} training runs, ${kib} KiB)`);
    });
}

/**
 * What the strong suite costs: `eval --attacks strong` against the seed's evaluation (clean and
 * PGD-7 white-box) on the same images of the same model, one after the other in one run (so the
 * ratio is meaningful on a shared machine; the absolute times are not). Writes a markdown report
 * with both tables under their protocols, the times and the ratio.
 * Run: nice -n 10 node --import tsx bench/strong-suite.ts --model FILE [--limit 1000] [--batch 64]
 *        [--out bench/STRONG-SUITE-RESULTS.md] [--json-dir DIR] [--note TEXT]
 */
import { parseArgs } from 'node:util';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { runEvaluation, type EvalReport } from '../src/eval/run-eval.js';
import { formatEvalReport } from '../src/eval/report.js';
import { createProgress } from '../src/cli/progress.js';
import { getBackend } from '../src/kernels/index.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    limit: { type: 'string', default: '1000' },
    batch: { type: 'string', default: '64' },
    out: { type: 'string', default: 'bench/STRONG-SUITE-RESULTS.md' },
    'json-dir': { type: 'string' },
    note: { type: 'string', default: '' },
  },
});
if (!values.model) throw new Error('--model FILE is required');
const common = { model: values.model, limit: Number(values.limit), batch: Number(values.batch) };
const ui = { progress: (label: string, total: number) => createProgress(`eval ${label}`, total), log: (l: string) => console.error(l) };

async function timed(name: string, attacks: string): Promise<{ report: EvalReport; seconds: number }> {
  const json = values['json-dir'] ? path.join(values['json-dir'], `${name}.json`) : undefined;
  const t = performance.now();
  const report = await runEvaluation({ ...common, attacks, ...(json ? { json } : {}) }, ui);
  const seconds = (performance.now() - t) / 1000;
  console.error(`${name}: ${seconds.toFixed(0)} s`);
  return { report, seconds };
}

const seedEval = await timed('pgd7', 'clean,pgd');
const strong = await timed('strong', 'strong');
const ratio = strong.seconds / seedEval.seconds;
const block = (r: EvalReport) => ['```', formatEvalReport(r).trim(), '```'].join('\n');
const md = [
  '# Cost of the strong suite (`hire-snn eval --attacks strong`)',
  '',
  `\`node --import tsx bench/strong-suite.ts --model ${values.model} --limit ${values.limit} --batch ${values.batch}\``,
  `on ${os.cpus().length} cores (${getBackend().info().name} backend, ${getBackend().info().threads} threads), ${new Date().toISOString().slice(0, 10)}. ${values.note}`,
  '',
  '| evaluation | wall-clock | robust top-1 % |',
  '|---|---|---|',
  `| seed protocol: clean + PGD-7 white-box | ${seedEval.seconds.toFixed(0)} s | PGD-7 ${seedEval.report.results.pgd?.whiteBox?.top1.toFixed(2)} |`,
  `| \`--attacks strong\` | ${strong.seconds.toFixed(0)} s | worst case ${strong.report.results.worstCase?.top1.toFixed(2)} |`,
  '',
  `The strong suite costs **${ratio.toFixed(1)}x** the seed's PGD-7 evaluation of the same ${strong.report.n} images.`,
  '',
  '## Seed protocol', '', block(seedEval.report), '',
  '## Strong suite', '', block(strong.report), '',
].join('\n');
fs.writeFileSync(values.out, md);
console.log(md);

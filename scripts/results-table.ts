/**
 * The comparison table of a reproduction run (scripts/reproduce.sh): reads OUT/eval-*.json
 * (from `hire-snn eval --json`), the checkpoints' metrics and OUT/timing.tsv, prints markdown.
 * Usage: node --import tsx scripts/results-table.ts runs/repro
 */
import fs from 'node:fs';
import path from 'node:path';
import { readCheckpoint } from '../src/io/checkpoint.js';

interface Acc {
  top1: number;
}
interface EvalJson {
  n: number;
  results: { clean?: Acc; fgsm?: { whiteBox?: Acc; blackBox?: Acc }; pgd?: { whiteBox?: Acc; blackBox?: Acc } };
  spikes?: Record<string, { spikesPerNeuron: number; firingRate: number }[]>;
  protocol: { epsilon: number; pgdSteps: number; pgdStepSize: number; timesteps: number };
  elapsedSeconds: number;
}

const dir = process.argv[2] ?? 'runs/repro';
const pct = (a: Acc | undefined) => (a ? a.top1.toFixed(2) : '-');
const timing = new Map<string, number>();
const timingFile = path.join(dir, 'timing.tsv');
if (fs.existsSync(timingFile)) {
  for (const line of fs.readFileSync(timingFile, 'utf8').trim().split('\n').slice(1)) {
    const [name, secs] = line.split('\t');
    timing.set(name, (timing.get(name) ?? 0) + Number(secs));
  }
}
const minutes = (s: number | undefined) => (s === undefined ? '-' : (s / 60).toFixed(1));

const rows: string[] = [];
let protocol: EvalJson['protocol'] | undefined;
let n = 0;
for (const name of ['snn-s0', 'hire-s0']) {
  const file = path.join(dir, `eval-${name}.json`);
  if (!fs.existsSync(file)) {
    rows.push(`| ${name} | (not evaluated yet) | | | | | | | |`);
    continue;
  }
  const ev = JSON.parse(fs.readFileSync(file, 'utf8')) as EvalJson;
  protocol = ev.protocol;
  n = ev.n;
  const trainSeconds = readCheckpoint(path.join(dir, name, 'model.safetensors')).meta.metrics?.trainSeconds;
  const clean = ev.spikes?.clean;
  const rate = clean ? clean.reduce((a, l) => a + l.firingRate, 0) / clean.length : NaN;
  rows.push(`| ${name.startsWith('hire') ? 'HIRE-SNN' : 'traditional SNN'} (seed ${name.slice(-1)}) | ${pct(ev.results.clean)} | ${pct(ev.results.fgsm?.whiteBox)} | ${pct(ev.results.pgd?.whiteBox)} | ${pct(ev.results.fgsm?.blackBox)} | ${pct(ev.results.pgd?.blackBox)} | ${rate.toFixed(4)} | ${minutes(trainSeconds)} | ${minutes(timing.get(`eval-${name}`))} |`);
}

const ann = ['ann-s0', 'ann-s1', 'snn-s1'].map((name) => {
  const f = path.join(dir, name, 'model.safetensors');
  if (!fs.existsSync(f)) return `| ${name} | - | - |`;
  const m = readCheckpoint(f).meta.metrics ?? {};
  return `| ${name} | ${m.testTop1 !== undefined ? m.testTop1.toFixed(2) : '-'} (n=${m.testImages ?? '-'}) | ${minutes(m.trainSeconds)} |`;
});

const out = [
  `Adversarial accuracy (top-1 %, ${n} CIFAR-10 test images${protocol ? `, eps ${protocol.epsilon}, PGD ${protocol.pgdSteps} steps of ${protocol.pgdStepSize}, T=${protocol.timesteps}` : ''}; black-box source: snn-s1):`,
  '',
  '| model | clean | FGSM white-box | PGD white-box | FGSM black-box | PGD black-box | firing rate (clean) | training min | eval min |',
  '|---|---|---|---|---|---|---|---|---|',
  ...rows,
  '',
  'Other models of the run (clean top-1 % from the training log):',
  '',
  '| model | clean | training min |',
  '|---|---|---|',
  ...ann,
  '',
  '(training min: time inside training steps, summed over sessions; eval min and the total: wall-clock of the phases in timing.tsv)',
  '',
  `Total wall-clock of the recorded phases: ${minutes([...timing.values()].reduce((a, b) => a + b, 0))} min.`,
];
console.log(out.join('\n'));

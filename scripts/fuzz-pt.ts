/**
 * The long checkpoint fuzz run: `node --import tsx scripts/fuzz-pt.ts [--cases N] [--seed S] [--out FILE]`.
 * Mutates the golden fixtures' .pt/.safetensors files (see test/io/fuzz-lib.ts), loads each case
 * as `hire-snn inspect` would, and prints a summary (optionally as Markdown to FILE). Exits
 * non-zero if any case crashed with something other than a CheckpointError.
 */
import fs from 'node:fs';
import { runFuzz, type Summary } from '../test/io/fuzz-lib.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const cases = Number(arg('cases', '100000'));
const seed = Number(arg('seed', '1'));
const out = arg('out', '');
const crashes: string[] = [];
let next = 10_000;
const t0 = performance.now();
const summary: Summary = runFuzz({
  seed,
  cases,
  onCrash: (m) => {
    crashes.push(m);
    if (crashes.length <= 20) console.error(`CRASH ${m}`);
  },
  onCase: (i) => {
    if (i >= next) {
      console.error(`${i} cases, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
      next += 10_000;
    }
  },
});

const rows = Object.entries(summary.outcomes).sort((a, b) => b[1] - a[1]);
const lines = [
  `cases: ${summary.cases}, seed ${seed}`,
  `time: ${summary.seconds.toFixed(1)} s (${((summary.seconds * 1000) / summary.cases).toFixed(2)} ms per case)`,
  `slowest case: ${summary.maxCaseMs.toFixed(1)} ms (${summary.slowest})`,
  `peak array-buffer memory (sampled): ${summary.maxArrayBuffersMb.toFixed(1)} MiB`,
  `crashes (non-CheckpointError): ${crashes.length}`,
  ...rows.map(([k, v]) => `  ${k.padEnd(28)} ${String(v).padStart(7)}  ${((100 * v) / summary.cases).toFixed(1)}%`),
];
console.log(lines.join('\n'));

if (out) {
  const md = [
    '# Checkpoint reader fuzz results',
    '',
    'Made by `node --import tsx scripts/fuzz-pt.ts --cases ' + cases + ' --seed ' + seed + ' --out ' + out + '`: seeded mutations',
    '(truncation, flipped bytes, huge declared sizes, deep MARK/list/tuple nesting, hostile GLOBALs, splices and cuts)',
    'of every fixture `.pt` and `weights.safetensors` plus files from our writers (zip64, legacy), applied to the raw',
    'file and, for zip archives, to `data.pkl` inside a re-packed archive so they get past the CRC check. Each case is',
    'loaded as `hire-snn inspect` does (format detection, unpickling, state_dict search, architecture inference, report).',
    '',
    '| measure | value |',
    '| --- | --- |',
    `| cases | ${summary.cases} |`,
    `| seconds | ${summary.seconds.toFixed(1)} |`,
    `| max case time | ${summary.maxCaseMs.toFixed(1)} ms (${summary.slowest.replace(/\|/g, '\\|')}) |`,
    `| peak array-buffer memory (sampled) | ${summary.maxArrayBuffersMb.toFixed(1)} MiB |`,
    `| crashes (anything but a CheckpointError) | ${crashes.length} |`,
    '',
    '| outcome | cases | share |',
    '| --- | ---: | ---: |',
    ...rows.map(([k, v]) => `| ${k} | ${v} | ${((100 * v) / summary.cases).toFixed(1)}% |`),
    '',
  ];
  if (crashes.length) md.push('## Crashes', '', ...crashes.slice(0, 50).map((c) => `- ${c}`), '');
  fs.writeFileSync(out, md.join('\n'));
}
process.exitCode = crashes.length ? 1 : 0;

/**
 * The table of a study or reproduction run (scripts/hire-study.sh, scripts/reproduce.sh): for
 * every variant of the variants file, the mean ± s.d. over its seeds (OUT/NAME-sSEED/) of the
 * `hire-snn eval --json` results (eval-pgd7.json: clean, FGSM, PGD-7 white-/black-box, spikes,
 * energy; eval-pgd20.json; eval-apgd.json: APGD-CE alone; eval-strong.json: the strong suite's worst
 * case), the training speed
 * and time from the checkpoint and log, and the differences to the first variant (the baseline).
 * Usage: node --import tsx scripts/results-table.ts OUT VARIANTS_FILE
 */
import fs from 'node:fs';
import path from 'node:path';
import { readCheckpoint } from '../src/io/checkpoint.js';

interface Acc {
  top1: number;
}
interface EvalJson {
  n: number;
  results: Record<string, { top1?: number; whiteBox?: Acc; blackBox?: Acc } | undefined> & { clean?: Acc; worstCase?: Acc };
  spikes?: Record<string, { firingRate: number }[]>;
  energy?: { snnPj: number; annPj: number };
  protocol: { epsilon: number; pgdSteps: number; pgdStepSize: number; timesteps: number };
}

const [dir, variantsFile] = process.argv.slice(2);
if (!dir || !variantsFile) {
  console.error('usage: node --import tsx scripts/results-table.ts OUT VARIANTS_FILE');
  process.exit(2);
}
const variants = fs.readFileSync(variantsFile, 'utf8').split('\n').filter((l) => l.trim() && !l.trim().startsWith('#')).map((l) => {
  const [name, opts] = l.split('\t');
  return { name, opts: (opts ?? '').trim() };
});

const readJson = (f: string): EvalJson | undefined => (fs.existsSync(f) ? (JSON.parse(fs.readFileSync(f, 'utf8')) as EvalJson) : undefined);
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const sd = (v: number[]) => (v.length < 2 ? 0 : Math.sqrt(v.reduce((a, b) => a + (b - mean(v)) ** 2, 0) / (v.length - 1)));

/** the numbers of one model directory; undefined where not measured (yet) */
function measure(d: string): Record<string, number | undefined> {
  const pgd7 = readJson(path.join(d, 'eval-pgd7.json'));
  const pgd20 = readJson(path.join(d, 'eval-pgd20.json'));
  const apgd = readJson(path.join(d, 'eval-apgd.json'));
  const strong = readJson(path.join(d, 'eval-strong.json'));
  const clean = pgd7?.spikes?.clean;
  const ckpt = path.join(d, 'model.safetensors');
  const metrics = fs.existsSync(ckpt) ? readCheckpoint(ckpt).meta.metrics ?? {} : {};
  const log = path.join(d, 'log.jsonl');
  const epochs = fs.existsSync(log)
    ? fs.readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { event: string; imagesPerSecond?: number }).filter((e) => e.event === 'epoch')
    : [];
  return {
    n: pgd7?.n,
    clean: pgd7?.results.clean?.top1,
    fgsm: pgd7?.results.fgsm?.whiteBox?.top1,
    pgd7: pgd7?.results.pgd?.whiteBox?.top1,
    pgd20: pgd20?.results.pgd?.whiteBox?.top1,
    apgd: apgd?.results['apgd-ce']?.whiteBox?.top1,
    strong: strong?.results.worstCase?.top1,
    strongClean: strong?.results.clean?.top1,
    bbPgd7: pgd7?.results.pgd?.blackBox?.top1,
    rate: clean ? mean(clean.map((l) => l.firingRate)) : undefined,
    energyUj: pgd7?.energy ? pgd7.energy.snnPj / 1e6 : undefined,
    imgPerSec: epochs.length ? mean(epochs.map((e) => e.imagesPerSecond ?? 0)) : undefined,
    trainMin: metrics.trainSeconds !== undefined ? metrics.trainSeconds / 60 : undefined,
  };
}

const seedDirs = (name: string) =>
  fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-s\\d+$`).test(f)).sort().map((f) => path.join(dir, f)) : [];

const COLUMNS: [key: string, title: string, digits: number][] = [
  ['clean', 'clean', 1], ['fgsm', 'FGSM', 1], ['pgd7', 'PGD-7', 1], ['pgd20', 'PGD-20', 1], ['apgd', 'APGD-CE', 1], ['strong', 'strong worst case', 1],
  ['bbPgd7', 'PGD-7 black-box', 1], ['rate', 'firing rate', 4], ['energyUj', 'energy µJ', 2], ['imgPerSec', 'train img/s', 0], ['trainMin', 'train min', 1],
];
const DELTAS = ['clean', 'pgd7', 'pgd20', 'apgd', 'strong'];

const rows = variants.map((v) => {
  const per = seedDirs(v.name).map(measure);
  const stat = (k: string) => {
    const vals = per.map((m) => m[k]).filter((x): x is number => x !== undefined);
    return vals.length ? { mean: mean(vals), sd: sd(vals), n: vals.length } : undefined;
  };
  return { v, seeds: per.filter((m) => m.n !== undefined).length, n: per.find((m) => m.n !== undefined)?.n, stat };
});
const base = rows[0];
const fmt = (s: { mean: number; sd: number; n: number } | undefined, digits: number) =>
  s === undefined ? '–' : s.n > 1 ? `${s.mean.toFixed(digits)} ± ${s.sd.toFixed(digits)}` : s.mean.toFixed(digits);

const first = rows.find((r) => r.n !== undefined);
const protocolOf = () => {
  const d = seedDirs(first?.v.name ?? '')[0];
  const p = d ? readJson(path.join(d, 'eval-pgd7.json'))?.protocol : undefined;
  return p ? `ε ${p.epsilon}, PGD-7 / PGD-20 steps of ${p.pgdStepSize} with random start, APGD-CE 100 steps, T=${p.timesteps}` : '';
};
const out = [
  `Top-1 % on the first ${first?.n ?? '?'} CIFAR-10 test images (${protocolOf()}; white-box unless said; strong = the worst case over the suite's attacks per image; mean ± s.d. over the seeds; Δ = difference of the means to ${base.v.name}):`,
  '',
  `| variant | seeds evaluated | ${COLUMNS.map((c) => c[1]).join(' | ')} | ${DELTAS.map((d) => `Δ ${COLUMNS.find((c) => c[0] === d)![1]}`).join(' | ')} |`,
  `|---|---|${COLUMNS.map(() => '---').join('|')}|${DELTAS.map(() => '---').join('|')}|`,
  ...rows.map((r) => {
    const deltas = DELTAS.map((k) => {
      const a = r.stat(k);
      const b = base.stat(k);
      return a && b ? `${a.mean - b.mean >= 0 ? '+' : ''}${(a.mean - b.mean).toFixed(1)}` : '–';
    });
    return `| ${r.v.name} | ${r.seeds} | ${COLUMNS.map(([k, , d]) => fmt(r.stat(k), d)).join(' | ')} | ${deltas.join(' | ')} |`;
  }),
  '',
  'Variants (training options on top of the study defaults):',
  '',
  ...variants.map((v) => `- ${v.name}: \`${v.opts}\``),
];
const timing = path.join(dir, 'timing.tsv');
if (fs.existsSync(timing)) {
  const phases = fs.readFileSync(timing, 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t'));
  const sum = (re: RegExp) => phases.filter(([n]) => re.test(n)).reduce((a, [, s]) => a + Number(s), 0) / 60;
  out.push('', `Wall-clock of the phases (minutes, summed over jobs that ran ${process.env.JOBS ?? 2} at a time): ANN ${sum(/^ann-/).toFixed(0)}, spiking training ${sum(/^train-/).toFixed(0)}, evaluation ${sum(/^eval-/).toFixed(0)}.`);
}
console.log(out.join('\n'));

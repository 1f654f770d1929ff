/**
 * Training-step speed of the traditional SNN step and the HIRE variants on one trained model and
 * one batch of CIFAR-10 training images, in interleaved rounds (so the machine's load hits every
 * variant alike); prints the median ms per step and the ratio to the traditional step.
 * Usage: node --import tsx scripts/study/step-speed.ts MODEL.safetensors [ROUNDS=7] [BATCH=64]
 */
import { loadModelFile } from '../../src/io/load.js';
import { loadDataset } from '../../src/data/load.js';
import { NORMALIZATION } from '../../src/data/dataset.js';
import { Rng } from '../../src/data/rng.js';
import { snnStep } from '../../src/train/snn-step.js';
import { hireStep, type HireStepOptions } from '../../src/train/hire-step.js';
import { makeOptimizer } from '../../src/train/step-common.js';
import { DEFAULT_NOISE_EPS } from '../../src/train/config.js';

const [file, roundsArg, batchArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node --import tsx scripts/study/step-speed.ts MODEL.safetensors [ROUNDS] [BATCH]');
  process.exit(2);
}
const rounds = Number(roundsArg ?? 7);
const batchSize = Number(batchArg ?? 64);
const loaded = loadModelFile(file, { normalization: NORMALIZATION.cifar10 });
const timesteps = loaded.meta?.timesteps ?? 8;
const data = await loadDataset('cifar10', 'train', { limit: batchSize });
const batch = { x01: Float32Array.from(data.images, (v) => v / 255), shape: [batchSize, 3, 32, 32], labels: Int32Array.from(data.labels) };

const hire = (o: Partial<HireStepOptions>): HireStepOptions => ({ timesteps, periods: 2, epsilon: DEFAULT_NOISE_EPS, dropoutSeed: 1, ...o });
const variants: [string, (opt: ReturnType<typeof makeOptimizer>) => void][] = [
  ['snn (traditional)', (opt) => snnStep(loaded.model, opt, batch, { timesteps, rng: new Rng(1) })],
  ['hire, from rest', (opt) => hireStep(loaded.model, opt, batch, hire({}))],
  ['hire, carried membrane', (opt) => hireStep(loaded.model, opt, batch, hire({ carryMembrane: true }))],
  ['hire, carried + cumulative loss', (opt) => hireStep(loaded.model, opt, batch, hire({ carryMembrane: true, loss: 'cumulative' }))],
  ['hire, carried + noise after the update', (opt) => hireStep(loaded.model, opt, batch, hire({ carryMembrane: true, timing: 'after-update' }))],
  ['hire, carried + one update per batch', (opt) => hireStep(loaded.model, opt, batch, hire({ carryMembrane: true, update: 'per-batch' }))],
  ['hire, carried, N=4', (opt) => hireStep(loaded.model, opt, batch, hire({ carryMembrane: true, periods: 4 }))],
];
// a tiny learning rate: the weights (and so the spike rates) stay where they are over the rounds
const optimizer = makeOptimizer(loaded.model, { name: 'adam', lr: 1e-9, momentum: 0, weightDecay: 0 });
const times = variants.map(() => [] as number[]);
for (let r = 0; r <= rounds; r++) {
  variants.forEach(([, run], i) => {
    const t0 = performance.now();
    run(optimizer);
    if (r > 0) times[i].push(performance.now() - t0); // round 0 warms up
  });
}
const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const base = median(times[0]);
console.log(`${file}: batch ${batchSize}, T=${timesteps}, ${rounds} interleaved rounds, OMP_NUM_THREADS=${process.env.OMP_NUM_THREADS ?? '(all)'}\n`);
console.log('| step | median ms | img/s | time vs traditional |\n|---|---|---|---|');
variants.forEach(([name], i) => {
  const m = median(times[i]);
  console.log(`| ${name} | ${m.toFixed(0)} | ${((1000 * batchSize) / m).toFixed(0)} | ${(m / base).toFixed(2)}x |`);
});

/**
 * CIFAR-10 data throughput: reading the binary archive into memory, then batching with shuffling
 * and the training augmentation (random crop with 4-pixel padding + horizontal flip) to [0,1] floats.
 * Run: node --import tsx bench/data.ts [--data PATH] [--batch 128] [--epochs 2]
 */
import { parseArgs } from 'node:util';
import { loadDatasets } from '../src/data/load.js';
import { BatchLoader } from '../src/data/loader.js';

const { values } = parseArgs({
  options: { data: { type: 'string' }, batch: { type: 'string', default: '128' }, epochs: { type: 'string', default: '2' } },
});
const batchSize = Number(values.batch);
const epochs = Number(values.epochs);

const rate = (n: number, ms: number): string => `${Math.round((n / ms) * 1000).toLocaleString('en-US')} images/s`;

let t = performance.now();
const { train, test } = await loadDatasets('cifar10', ['train', 'test'], { data: values.data });
let ms = performance.now() - t;
const total = train.count + test.count;
console.log(`read archive (train + test, ${total} images): ${(ms / 1000).toFixed(2)} s, ${rate(total, ms)}`);

for (const [label, augment, shuffle] of [
  ['batch to [0,1], no shuffle, no augment', false, false],
  ['batch to [0,1], shuffle + crop/flip augment', true, true],
] as const) {
  const loader = new BatchLoader(train, { batchSize, shuffle, augment, seed: 1 });
  t = performance.now();
  let n = 0;
  let check = 0;
  for (let e = 0; e < epochs; e++) {
    for (const b of loader.epoch(e)) {
      n += b.size;
      check += b.x01[0];
    }
  }
  ms = performance.now() - t;
  console.log(`${label} (batch ${batchSize}, ${epochs} epochs): ${rate(n, ms)} (checksum ${check.toFixed(3)})`);
}

/** Small evaluation sets for the suite and diagnostics tests, from the vgg5 fixture. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadFixture, FIXTURES } from '../helpers/fixtures.js';
import { loadModelFile } from '../../src/io/load.js';
import { parseArch } from '../../src/snn/arch.js';
import { writeSafetensorsFile } from '../../src/io/safetensors-file.js';
import { Tensor, noGrad } from '../../src/tensor/tensor.js';
import { Rng } from '../../src/data/rng.js';
import { specFromArch } from '../../src/snn/arch.js';
import { buildModel } from '../../src/snn/build.js';
import { saveCheckpoint } from '../../src/io/checkpoint.js';
import { NORMALIZATION } from '../../src/data/dataset.js';

export const VGG5 = { model: path.join(FIXTURES, 'vgg5-tiny-c10', 'state_dict_zip.pt'), arch: '8,A,16,16,A' };

/**
 * n images (the fixture's calibration batch, then noisy copies of it) written as an --inputs
 * file; labels are the model's own clean predictions at T, except every `wrongEvery`-th one,
 * so that most samples start correct and some do not.
 */
export function fixtureInputs(n: number, timesteps: number, wrongEvery = 0): { file: string; cleanup: () => void } {
  const f = loadFixture('vgg5-tiny-c10');
  const calib = f.case.get('calib01')!;
  const m = loadModelFile(VGG5.model, { arch: parseArch(VGG5.arch), normalization: f.meta.normalization });
  const per = 3 * 32 * 32;
  const rng = new Rng(7);
  const x = new Float32Array(n * per);
  for (let i = 0; i < n; i++) {
    const src = (i % calib.shape[0]) * per;
    const noise = i >= calib.shape[0] ? 0.1 : 0;
    for (let j = 0; j < per; j++) x[i * per + j] = Math.min(1, Math.max(0, calib.data[src + j] + noise * (rng.uniform() - 0.5)));
  }
  const logits = noGrad(() => m.model.forward(new Tensor(x, [n, 3, 32, 32]), { timesteps })).logits.data;
  const labels = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < 10; j++) if (logits[i * 10 + j] > logits[i * 10 + best]) best = j;
    labels[i] = BigInt(wrongEvery && i % wrongEvery === wrongEvery - 1 ? (best + 1) % 10 : best);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hire-eval-set-'));
  const file = path.join(dir, 'inputs.safetensors');
  writeSafetensorsFile(file, [['x01', { dtype: 'F32', shape: [n, 3, 32, 32], data: x }], ['labels', { dtype: 'I64', shape: [n], data: labels }]]);
  return { file, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** a random 2-class VGG checkpoint of ours and 6 inputs for it (for what needs >= 3 classes) */
export function twoClassModel(): { model: string; inputs: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hire-two-class-'));
  const spec = specFromArch('4,A', { labels: 2, inChannels: 3, imageSize: 32, hidden: [8] });
  const model = path.join(dir, 'two.safetensors');
  saveCheckpoint(model, buildModel(spec, NORMALIZATION.cifar10, new Rng(1)), { spec, timesteps: 2, normalization: NORMALIZATION.cifar10, dataset: 'cifar10', method: 'snn' });
  const inputs = path.join(dir, 'inputs.safetensors');
  const x = new Float32Array(6 * 3 * 32 * 32).map((_, i) => (i % 97) / 97);
  writeSafetensorsFile(inputs, [['x01', { dtype: 'F32', shape: [6, 3, 32, 32], data: x }], ['labels', { dtype: 'I64', shape: [6], data: BigInt64Array.from([0n, 1n, 0n, 1n, 0n, 1n]) }]]);
  return { model, inputs, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

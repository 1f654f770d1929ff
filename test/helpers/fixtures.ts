/** Access to the golden fixtures in ../shared/fixtures (made with a PyTorch reference of the seed). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readSafetensorsFile } from '../../src/io/safetensors-file.js';
import { toFloat32 } from '../../src/io/arrays.js';
import type { VggSpec, VggLayer, ResNetSpec } from '../../src/snn/spec.js';
import type { Normalization } from '../../src/snn/model.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const FIXTURES = path.resolve(here, '../../../shared/fixtures');

export interface FixtureMeta {
  architecture: { cfg: VggLayer[]; hidden: number[]; labels: number; input: number[]; kernel: number; dropout: number };
  timesteps: number;
  batch: number;
  normalization: Normalization;
  threshold_init?: { percentile: number; scaling: number; raw_thresholds: number[] };
  loss: { value: number };
  attacks?: { fgsm: { eps: number }; pgd3: { eps: number; step: number; steps: number; random_start: boolean } };
}

export interface Fixture {
  name: string;
  dir: string;
  meta: FixtureMeta;
  weights: Map<string, { shape: number[]; data: Float32Array }>;
  case: Map<string, { shape: number[]; data: Float32Array }>;
}

function readAsFloat(file: string): Map<string, { shape: number[]; data: Float32Array }> {
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [k, v] of readSafetensorsFile(file).tensors) out.set(k, { shape: [...v.shape], data: toFloat32(v) });
  return out;
}

export function loadFixture(name: string): Fixture {
  const dir = path.join(FIXTURES, name);
  const meta = JSON.parse(readFileSync(path.join(dir, 'meta.json'), 'utf8')) as FixtureMeta;
  return { name, dir, meta, weights: readAsFloat(path.join(dir, 'weights.safetensors')), case: readAsFloat(path.join(dir, 'case.safetensors')) };
}

export function vggSpecOf(meta: FixtureMeta): VggSpec {
  const a = meta.architecture;
  return { family: 'vgg', cfg: a.cfg, hidden: a.hidden, labels: a.labels, inChannels: a.input[0], imageSize: a.input[1], kernel: a.kernel, dropout: a.dropout };
}

/** meta.json's architecture of a ResNet fixture (DIET-SNN layout) */
export interface ResNetFixtureArchitecture {
  name: string;
  widths: number[];
  blocks: number[];
  strides: number[];
  labels: number;
  input: number[];
  dropout: number;
  /** stem conv widths when given; DIET-SNN's stem has three convs of the first stage's width */
  stem_widths?: number[];
}

export function resnetSpecOf(meta: FixtureMeta): ResNetSpec {
  const a = meta.architecture as unknown as ResNetFixtureArchitecture;
  const w0 = a.widths[0];
  return {
    family: 'resnet', name: a.name, widths: a.widths, blocks: a.blocks, strides: a.strides,
    stem: a.stem_widths ?? [w0, w0, w0], labels: a.labels, inChannels: a.input[0], imageSize: a.input[1], dropout: a.dropout,
  };
}

/**
 * max |a - b| / max |b| (max |a - b| when b is all zero): the fixtures' README tolerance measure.
 * A NaN anywhere gives Infinity, so an unwritten (NaN-poisoned) output never passes.
 */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (Number.isNaN(d)) return Infinity;
    diff = Math.max(diff, d);
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return scale === 0 ? diff : diff / scale;
}

export function shareEqual(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let same = 0;
  for (let i = 0; i < b.length; i++) if (a[i] === b[i]) same++;
  return same / b.length;
}

/**
 * `ForwardOptions.surrogate` reaches the LIF backward: the LIF op alone and a one-conv-layer
 * spiking VGG (plain and pooled, direct input = constant current, Poisson input = a current per
 * step) against float64 references for every surrogate kind on every backend; and in deeper
 * VGG and ResNet models every spiking layer's backward gets it (and the training one by default).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { availableBackends, type Backend, type LifParams, type Surrogate } from '../../src/kernels/index.js';
import { onBackend } from '../helpers/backends.js';
import { Tensor, backward } from '../../src/tensor/tensor.js';
import { conv2d } from '../../src/tensor/ops/conv2d.js';
import { normalize } from '../../src/tensor/ops/normalize.js';
import { lif, lifPooled, TRAINING_SURROGATE } from '../../src/snn/lif.js';
import { encodeInput } from '../../src/snn/encoding.js';
import { buildModel } from '../../src/snn/build.js';
import type { ModelSpec } from '../../src/snn/spec.js';
import type { SpikingModel } from '../../src/snn/model.js';
import {
  Rng, SURROGATES, refAvgPoolBackward, refAvgPoolForward, refConvBackwardData, refConvBackwardWeights, refLifBackward, refLifForward,
} from '../kernels/reference.js';
import { relErr } from '../helpers/fixtures.js';

const TOL = 1e-5;
const NORM = { mean: [0.4, 0.5, 0.45], std: [0.25, 0.2, 0.3] };
const name = (s: Surrogate): string => `${s.kind}(${s.gamma}, ${s.width})`;
const seeded = (seed: number) => {
  const r = new Rng(seed);
  return { uniform: () => r.next() };
};

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, tol = TOL): void {
  const err = relErr(actual, expected);
  assert.ok(err <= tol, `${what}: relative error ${err.toExponential(2)} > ${tol}`);
}

function closeScalar(actual: number, expected: number, scale: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= TOL * Math.max(Math.abs(expected), scale, 1e-12), `${what}: ${actual} vs ${expected}`);
}

/** the one-layer VGG: 3x3 conv (5 channels) + LIF [+ 2x2 pool] on 8x8 images, then the linear output */
function oneLayer(pool: boolean): SpikingModel {
  const spec: ModelSpec = { family: 'vgg', cfg: pool ? [5, 'A'] : [5], hidden: [], labels: 4, inChannels: 3, imageSize: 8, kernel: 3, dropout: 0 };
  const model = buildModel(spec, NORM, seeded(9));
  model.params.get('threshold.t0')!.data[0] = 0.6;
  model.params.get('leak.l0')!.data[0] = 0.9;
  return model;
}

for (const backend of availableBackends()) {
  describe(`attack-time surrogate through the model on ${backend.name}`, () => {
    const run = (fn: () => void) => onBackend(backend, fn);

    for (const pooled of [false, true]) {
      test(`the LIF op${pooled ? ' fused with its pool' : ''}: every kind, constant current or not`, run(() => {
        for (const s of SURROGATES) {
          for (const constantCurrent of [false, true]) {
            const rng = new Rng(21);
            const steps = 3;
            const [n, c, h, w] = [2, 3, 4, 8];
            const size = n * c * h * w;
            const p: LifParams = { steps, size, leak: 0.85, threshold: 0.7, surrogate: s, constantCurrent };
            const data = rng.array(constantCurrent ? size : steps * size, -0.6, 1.3);
            const current = new Tensor(Float32Array.from(data), [constantCurrent ? n : steps * n, c, h, w], { requiresGrad: true });
            const leak = Tensor.scalar(p.leak, true);
            const threshold = Tensor.scalar(p.threshold, true);
            const opts = { steps, constantCurrent, surrogate: s };
            const out = pooled ? lifPooled(current, leak, threshold, opts).pooled : lif(current, leak, threshold, opts).spikes;
            const seed = rng.array(out.size, -1, 1);
            backward(out, seed);
            const gradSpikes = pooled ? refAvgPoolBackward(seed, steps * n, c, h, w, 2) : seed;
            const ref = refLifBackward(data, gradSpikes, p);
            const what = `${name(s)}${constantCurrent ? ' constant' : ''}`;
            close(current.grad!, ref.gradCurrent, `${what}: current`);
            closeScalar(leak.grad![0], ref.gradLeak, ref.gradLeakScale, `${what}: leak`);
            closeScalar(threshold.grad![0], ref.gradThreshold, ref.gradThresholdScale, `${what}: threshold`);
          }
        }
      }));

      for (const encoding of ['direct', 'poisson'] as const) {
        test(`one-layer VGG${pooled ? ' with pool' : ''}, ${encoding} input: gradients vs float64 for every kind`, run(() => {
          for (const s of SURROGATES) {
            const model = oneLayer(pooled);
            const [batch, steps] = [2, 4];
            const x01 = new Tensor(new Rng(4).array(batch * 3 * 64, 0, 1), [batch, 3, 8, 8], { requiresGrad: true });
            const out = model.forward(x01, { timesteps: steps, surrogate: s, encoding, rng: seeded(77) });
            const cot = new Rng(5).array(out.logits.size, -1, 1);
            backward(out.logits, cot);

            // the reference from the same float32 current (so the spikes agree exactly), float64 after it
            const constant = encoding === 'direct';
            const input = encodeInput(normalize(x01, NORM.mean, NORM.std), x01, { timesteps: steps, encoding, rng: seeded(77) }).tensor;
            const weight = model.params.get('features.0.weight')!;
            const current = conv2d(input, weight, { pad: 1, sparseInput: !constant });
            const per = batch * 5 * 64;
            const p: LifParams = { steps, size: per, leak: 0.9, threshold: 0.6, surrogate: s, constantCurrent: constant };
            const fwd = refLifForward(current.data, p);
            assert.equal(out.spikeCounts[0], fwd.count, `${name(s)}: spike count`);
            const spikes = pooled ? refAvgPoolForward(fwd.spikes, steps * batch, 5, 8, 8, 2) : fwd.spikes;
            const features = spikes.length / (steps * batch);
            const wOut = model.params.get('classifier.0.weight')!.data;
            // dL/d(spike sum): the cotangent through the output layer, the same at every step
            const gSum = new Float64Array(batch * features);
            for (let b = 0; b < batch; b++) {
              for (let f = 0; f < features; f++) for (let k = 0; k < 4; k++) gSum[b * features + f] += cot[b * 4 + k] * wOut[k * features + f];
            }
            const gSteps = new Float64Array(spikes.length);
            for (let t = 0; t < steps; t++) gSteps.set(gSum, t * gSum.length);
            const gradSpikes = pooled ? refAvgPoolBackward(gSteps, steps * batch, 5, 8, 8, 2) : gSteps;
            const ref = refLifBackward(current.data, gradSpikes, p);
            const shape = { n: constant ? batch : steps * batch, cIn: 3, h: 8, w: 8, cOut: 5, kh: 3, kw: 3, stride: 1, pad: 1 };
            const what = `${name(s)} ${encoding}${pooled ? ' pooled' : ''}`;
            close(weight.grad!, refConvBackwardWeights(input.data, ref.gradCurrent, shape), `${what}: conv weight gradient`);
            closeScalar(model.params.get('leak.l0')!.grad![0], ref.gradLeak, ref.gradLeakScale, `${what}: leak`);
            closeScalar(model.params.get('threshold.t0')!.grad![0], ref.gradThreshold, ref.gradThresholdScale, `${what}: threshold`);
            if (!constant) continue; // no gradient flows through the Poisson sampling
            const gx = refConvBackwardData(ref.gradCurrent, weight.data, shape);
            for (let i = 0; i < gx.length; i++) gx[i] /= NORM.std[Math.floor(i / 64) % 3];
            close(x01.grad!, gx, `${what}: input gradient`);
          }
        }));
      }
    }

    const deep: ModelSpec[] = [
      { family: 'vgg', cfg: [4, 'A', 6, 6], hidden: [7], labels: 3, inChannels: 3, imageSize: 8, kernel: 3, dropout: 0.2 },
      { family: 'resnet', name: 'tiny', widths: [4, 6], blocks: [1, 1], strides: [1, 2], stem: [4, 4], labels: 3, inChannels: 3, imageSize: 8, dropout: 0.2 },
    ];
    for (const spec of deep) {
      test(`${spec.family}: every spiking layer's backward gets the surrogate`, () => {
        const model = buildModel(spec, NORM, seeded(3));
        const x = new Tensor(new Rng(8).array(2 * 3 * 64, 0, 1), [2, 3, 8, 8], { requiresGrad: true });
        for (const s of [undefined, { kind: 'sigmoid', gamma: 0.5, width: 0.4 } satisfies Surrogate]) {
          const seen: Surrogate[] = [];
          onBackend(spying(backend, seen), () => {
            const out = model.forward(x, { timesteps: 3, surrogate: s });
            backward(out.logits, new Float32Array(out.logits.size).fill(1));
          })();
          assert.equal(seen.length, model.spikingLayers().length, 'one LIF backward per spiking layer');
          for (const got of seen) assert.deepEqual(got, s ?? TRAINING_SURROGATE);
        }
      });
    }
  });
}

/** the backend, recording the surrogate of every LIF backward it runs */
function spying(be: Backend, seen: Surrogate[]): Backend {
  return new Proxy(be, {
    get(target, key) {
      const value = Reflect.get(target, key, target) as unknown;
      if (typeof value !== 'function') return value;
      if (key === 'lifBackward' || key === 'lifBackwardPooled') {
        return (...args: unknown[]) => {
          seen.push((args[2] as LifParams).surrogate);
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
}

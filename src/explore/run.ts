/**
 * One explorer view: an image through the model (logits, probabilities, every layer's spikes
 * step by step), optionally attacked (an attack of the registry, seeded) and the attacked image
 * through it again, with the energy estimate of both. The web worker and the Node test run this
 * same function, so the page shows the numbers the library computes.
 */
import { Tensor, noGrad } from '../tensor/tensor.js';
import { releasingBuffers } from '../tensor/buffer.js';
import type { SpikingModel } from '../snn/model.js';
import { Rng } from '../data/rng.js';
import { attackSpec, checkApplicable, createAttack, describeAttack, type AttackName } from '../attacks/registry.js';
import type { AttackOptions } from '../attacks/options.js';
import { estimateEnergy, type EnergyReport } from '../eval/energy.js';
import { TRAINING_SURROGATE } from '../snn/lif.js';
import { formatSurrogate } from '../attacks/surrogates.js';
import { TraceRecorder, spikesPerNeuron, type LayerTrace } from './traces.js';

/** the attacks a browser runs in seconds to a minute on one image (the ensemble and APGD-T multiply the work) */
export const EXPLORER_ATTACKS = ['fgsm', 'pgd', 'apgd-ce', 'apgd-dlr', 'square'] as const satisfies readonly AttackName[];
export type ExplorerAttack = (typeof EXPLORER_ATTACKS)[number];

/** iterations (queries for score-based attacks) when none are given: the registry's, fewer where it asks for minutes */
const BROWSER_BUDGET: Partial<Record<ExplorerAttack, number>> = { 'apgd-ce': 20, 'apgd-dlr': 20, square: 300 };

export function isExplorerAttack(name: string): name is ExplorerAttack {
  return (EXPLORER_ATTACKS as readonly string[]).includes(name);
}

/** which option the explorer's "steps" sets for an attack: its iterations, its queries, or none (FGSM) */
export function budgetOption(name: ExplorerAttack): 'steps' | 'queries' | null {
  const d = attackSpec(name).defaults;
  return d.queries !== undefined ? 'queries' : d.steps !== undefined ? 'steps' : null;
}

/** the explorer's default "steps" of an attack (null: it takes none) */
export function defaultBudget(name: ExplorerAttack): number | null {
  const option = budgetOption(name);
  return option === null ? null : BROWSER_BUDGET[name] ?? attackSpec(name).defaults[option] ?? null;
}

export interface ExploreRequest {
  /** [0,1] pixels of one image, [C, H, W] */
  x01: Float32Array;
  /** the class the attack pushes away from: the dataset's label (default: the clean prediction, for an image of the user's own) */
  label?: number;
  attack: 'none' | ExplorerAttack;
  epsilon: number;
  /** iterations, or queries for a score-based attack (default defaultBudget) */
  steps?: number;
  /** seeds the attack's random choices (PGD's start, Square's windows) */
  seed?: number;
}

export interface ImageView {
  /** summed output over the T steps */
  logits: Float32Array;
  probabilities: Float64Array;
  prediction: number;
  traces: LayerTrace[];
  energy: EnergyReport;
}

export interface ExploreResult {
  clean: ImageView;
  attacked?: ImageView & { x01: Float32Array };
  /** e.g. `pgd (eps 0.031, steps 7, ...), T 8, surrogate pwl..., seed 0` */
  protocol: string;
  /** forward passes the attack took */
  passes: number;
  /** wall-clock ms of the clean view (forward with traces) and of the attack (without the attacked view) */
  ms: { clean: number; attack: number };
}

export interface ExploreProgress {
  /** forward passes the attack has taken so far */
  passes: number;
  /** about how many it will take */
  expected: number;
}

function softmax(logits: Float32Array): Float64Array {
  const max = Math.max(...logits);
  const e = Float64Array.from(logits, (v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

function argmax(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i;
  return best;
}

/** the image through the model with every layer's spikes recorded */
export function viewImage(model: SpikingModel, timesteps: number, x01: Float32Array): ImageView {
  const recorder = new TraceRecorder(model.spikingLayers(), timesteps);
  const { spec } = model;
  const x = new Tensor(x01, [1, spec.inChannels, spec.imageSize, spec.imageSize]);
  const out = releasingBuffers(() => noGrad(() => model.forward(x, { timesteps, observe: recorder.observe })), (r) => [r.logits.data]);
  const logits = Float32Array.from(out.logits.data);
  const perNeuron = new Map(recorder.traces.map((t) => [t.index, spikesPerNeuron(t)]));
  return { logits, probabilities: softmax(logits), prediction: argmax(logits), traces: recorder.traces, energy: estimateEnergy(model, perNeuron) };
}

/** the model with every forward pass counted (the attack's progress) */
function counting(model: SpikingModel, onPass: () => void): SpikingModel {
  return {
    spec: model.spec, normalization: model.normalization, params: model.params,
    forward: (x, o) => {
      const r = model.forward(x, o);
      onPass();
      return r;
    },
    forwardAnn: model.forwardAnn.bind(model),
    spikingLayers: model.spikingLayers.bind(model),
    weightedOps: model.weightedOps.bind(model),
  };
}

export function attackOptions(req: Pick<ExploreRequest, 'attack' | 'epsilon' | 'steps'>): AttackOptions {
  if (req.attack === 'none') return { epsilon: req.epsilon };
  const option = budgetOption(req.attack);
  const budget = req.steps ?? defaultBudget(req.attack);
  return option === null || budget === null ? { epsilon: req.epsilon } : { epsilon: req.epsilon, [option]: budget };
}

export function exploreImage(model: SpikingModel, timesteps: number, req: ExploreRequest, onProgress?: (p: ExploreProgress) => void): ExploreResult {
  const t0 = performance.now();
  const clean = viewImage(model, timesteps, req.x01);
  const t1 = performance.now();
  const seed = req.seed ?? 0;
  const surrogate = `surrogate ${formatSurrogate(TRAINING_SURROGATE)}`;
  if (req.attack === 'none') return { clean, protocol: `clean, T ${timesteps}`, passes: 0, ms: { clean: t1 - t0, attack: 0 } };
  checkApplicable(req.attack, { classes: model.spec.labels, stochastic: false });
  const options = attackOptions(req);
  const expected = options.steps ?? options.queries ?? 1;
  let passes = 0;
  const onPass = () => {
    passes++;
    onProgress?.({ passes, expected });
  };
  const ctx = { model: counting(model, onPass), timesteps };
  const { spec } = model;
  const batch = { x01: req.x01, shape: [1, spec.inChannels, spec.imageSize, spec.imageSize], labels: [req.label ?? clean.prediction] };
  const adv = createAttack(req.attack, options, new Rng(seed)).perturb(ctx, batch);
  const t2 = performance.now();
  const attacked = { ...viewImage(model, timesteps, adv), x01: adv };
  const protocol = `${describeAttack(req.attack, options)}, T ${timesteps}, ${surrogate}, seed ${seed}`;
  return { clean, attacked, protocol, passes, ms: { clean: t1 - t0, attack: t2 - t1 } };
}

/**
 * What the explorer draws of one image's forward: every spiking layer's spikes step by step and
 * its input current, recorded through the forward's `observe` hook, from which firing rates and
 * the membrane of any neuron over the T steps follow.
 */
import type { LayerScan, SpikingLayerInfo } from '../snn/model.js';

export interface LayerTrace {
  index: number;
  /** module name, e.g. features.3 */
  name: string;
  /** one step's neurons of the image: [C, H, W] or [F] */
  shape: number[];
  neurons: number;
  steps: number;
  /** 0/1, [T, neurons] step-major */
  spikes: Uint8Array;
  /** the input current: [neurons] reused at every step when constantCurrent, else [T, neurons] */
  current: Float32Array;
  constantCurrent: boolean;
  leak: number;
  threshold: number;
}

/** the forward's `observe` hook for a batch of one image; `traces` in layer order once it ran */
export class TraceRecorder {
  readonly traces: LayerTrace[] = [];
  private readonly names: Map<number, string>;

  constructor(layers: readonly SpikingLayerInfo[], private readonly steps: number) {
    this.names = new Map(layers.map((l) => [l.index, l.name]));
  }

  readonly observe = (scan: LayerScan): void => {
    const [rows, ...shape] = scan.shape;
    if (rows !== this.steps) throw new Error(`explorer traces take one image at a time (the scan has ${rows} rows for ${this.steps} steps)`);
    const neurons = scan.spikes.length / rows;
    this.traces.push({
      index: scan.index, name: this.names.get(scan.index) ?? `layer ${scan.index}`, shape, neurons, steps: rows,
      spikes: Uint8Array.from(scan.spikes), current: Float32Array.from(scan.current), constantCurrent: scan.constantCurrent,
      leak: scan.leak, threshold: scan.threshold,
    });
  };
}

/** per neuron, the share of the T steps it fired at */
export function firingRates(t: LayerTrace): Float32Array {
  const rates = new Float32Array(t.neurons);
  for (let s = 0; s < t.steps; s++) for (let i = 0; i < t.neurons; i++) rates[i] += t.spikes[s * t.neurons + i];
  for (let i = 0; i < t.neurons; i++) rates[i] /= t.steps;
  return rates;
}

/** spikes per neuron of the layer over all T steps (what the energy model reads) */
export function spikesPerNeuron(t: LayerTrace): number {
  let n = 0;
  for (const s of t.spikes) n += s;
  return n / t.neurons;
}

export interface MembraneTrace {
  /** V_t = leak * U_{t-1} + I_t, the membrane compared with the threshold at step t */
  potential: number[];
  /** U_t = V_t - threshold * s_t, after the soft reset */
  afterReset: number[];
  spikes: number[];
  threshold: number;
}

/** one neuron's membrane over the steps, replayed from its current and spikes (float64, as the scan keeps it) */
export function membraneOf(t: LayerTrace, neuron: number): MembraneTrace {
  if (!(Number.isInteger(neuron) && neuron >= 0 && neuron < t.neurons)) throw new RangeError(`${t.name} has neurons 0..${t.neurons - 1}, not ${neuron}`);
  const out: MembraneTrace = { potential: [], afterReset: [], spikes: [], threshold: t.threshold };
  let u = 0;
  for (let s = 0; s < t.steps; s++) {
    const v = t.leak * u + t.current[(t.constantCurrent ? 0 : s * t.neurons) + neuron];
    const fired = t.spikes[s * t.neurons + neuron];
    u = v - t.threshold * fired;
    out.potential.push(v);
    out.afterReset.push(u);
    out.spikes.push(fired);
  }
  return out;
}

/**
 * A network as a list of layers (src/snn/layers.ts): its parameters are the layers' weights
 * (the seed's initialisation) then one threshold and one leak per spiking layer; the spiking
 * forward and the ANN forward run the same list under two passes.
 */
import { Tensor } from '../tensor/tensor.js';
import type { ModelSpec } from './spec.js';
import type { AnnOptions, ForwardOptions, ForwardResult, Normalization, SpikingLayerInfo, SpikingModel, WeightedOp } from './model.js';
import type { Layer, Source } from './layers.js';
import { SpikingPass } from './spiking-pass.js';
import { AnnPass } from './ann-pass.js';
import { initWeight } from './init.js';
import type { Rng } from './dropout.js';

export interface Architecture {
  layers: Layer[];
  /**
   * state_dict order of the threshold and leak keys: in layer order (the seed's VGG), or sorted
   * as strings (t0, t10, ..., t3: how torch 1.x keeps DIET-SNN's ParameterDicts)
   */
  neuronKeyOrder: 'layer' | 'string';
}

/** every key and shape of the state_dict an architecture implies, in state_dict order */
export function stateDictLayout(a: Architecture): { key: string; shape: number[] }[] {
  const indices = a.layers.flatMap((l) => l.neurons.map((n) => n.index));
  const keys = (prefix: string) => {
    const k = indices.map((i) => `${prefix}${i}`);
    return a.neuronKeyOrder === 'string' ? k.sort() : k;
  };
  return [
    ...a.layers.flatMap((l) => l.weights.map((w) => ({ key: w.key, shape: w.shape }))),
    ...[...keys('threshold.t'), ...keys('leak.l')].map((key) => ({ key, shape: [] })),
  ];
}

export class Network implements SpikingModel {
  readonly params = new Map<string, Tensor>();
  private readonly layers: Layer[];

  constructor(readonly spec: ModelSpec, readonly normalization: Normalization, arch: Architecture, rng?: Rng) {
    this.layers = arch.layers;
    const init = new Map(arch.layers.flatMap((l) => l.weights.map((w) => [w.key, w.init] as const)));
    for (const { key, shape } of stateDictLayout(arch)) {
      const kind = init.get(key);
      this.params.set(key, kind ? initWeight(shape, kind, rng) : Tensor.scalar(1, true));
    }
    for (const t of this.params.values()) t.requiresGrad = true;
  }

  private weight = (key: string): Tensor => {
    const t = this.params.get(key);
    if (!t) throw new Error(`missing parameter ${key}`);
    return t;
  };

  forward(x01: Tensor, opts: ForwardOptions): ForwardResult {
    const pass = new SpikingPass(this.params, this.normalization, this.spec.dropout, x01, opts);
    let x = pass.input;
    for (const layer of this.layers) x = layer.run(x, pass, this.weight);
    return pass.result(x);
  }

  forwardAnn(x01: Tensor, opts: AnnOptions = {}): Tensor {
    const pass = new AnnPass(this.params, this.normalization, this.spec.dropout, opts);
    let x = pass.input(x01);
    for (const layer of this.layers) x = layer.run(x, pass, this.weight);
    return x;
  }

  spikingLayers(): SpikingLayerInfo[] {
    return this.layers.flatMap((l) => l.neurons);
  }

  weightedOps(): WeightedOp[] {
    const ops: WeightedOp[] = [];
    let input: Source = { kind: 'analog' };
    for (const layer of this.layers) {
      const r = layer.ops(input);
      ops.push(...r.ops);
      input = r.output;
    }
    return ops;
  }
}

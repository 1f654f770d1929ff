/** Optimizer base: parameters by name, so state can be saved and restored by key. */
import type { Tensor } from '../tensor.js';

export interface Optimizer {
  lr: number;
  /** applies one update from the parameters' .grad (parameters without a gradient are skipped) */
  step(): void;
  zeroGrad(): void;
  /** per-parameter state buffers, for checkpoints (key = `${param}.${buffer}`) and the step count */
  stateDict(): { step: number; buffers: Map<string, Float32Array> };
  loadStateDict(state: { step: number; buffers: Map<string, Float32Array> }): void;
}

/** the hyperparameters: each as given, else its default (undefined counts as not given) */
export function withDefaults<D extends object>(defaults: D, given: Partial<D>): Readonly<D> {
  const out = { ...defaults };
  for (const k of Object.keys(defaults) as (keyof D)[]) if (given[k] !== undefined) out[k] = given[k] as D[keyof D];
  return out;
}

export abstract class OptimizerBase implements Optimizer {
  protected stepCount = 0;
  protected readonly buffers = new Map<string, Float32Array>();

  constructor(protected readonly params: Map<string, Tensor>, public lr: number) {}

  abstract step(): void;

  zeroGrad(): void {
    for (const p of this.params.values()) p.grad = null;
  }

  protected buffer(name: string, size: number): Float32Array {
    let b = this.buffers.get(name);
    if (!b) {
      b = new Float32Array(size);
      this.buffers.set(name, b);
    }
    return b;
  }

  stateDict(): { step: number; buffers: Map<string, Float32Array> } {
    return { step: this.stepCount, buffers: new Map([...this.buffers].map(([k, v]) => [k, Float32Array.from(v)])) };
  }

  loadStateDict(state: { step: number; buffers: Map<string, Float32Array> }): void {
    this.stepCount = state.step;
    this.buffers.clear();
    for (const [k, v] of state.buffers) this.buffers.set(k, Float32Array.from(v));
  }
}

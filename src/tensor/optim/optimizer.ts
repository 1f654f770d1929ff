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

/** the base of an optimizer with hyperparameters H (besides lr), resolved once against their defaults */
export abstract class OptimizerBase<H extends object> implements Optimizer {
  protected stepCount = 0;
  protected readonly buffers = new Map<string, Float32Array>();
  protected readonly h: Readonly<H>;
  public lr: number;

  constructor(protected readonly params: Map<string, Tensor>, given: Partial<H> & { lr: number }, defaults: H) {
    this.lr = given.lr;
    const h = { ...defaults };
    // each as given, else its default (undefined counts as not given)
    for (const k of Object.keys(defaults) as (keyof H)[]) if (given[k] !== undefined) h[k] = given[k] as H[keyof H];
    this.h = h;
  }

  /** one update of every parameter that has a gradient */
  step(): void {
    this.stepCount++;
    for (const [name, p] of this.params) if (p.grad) this.update(name, p, p.grad);
  }

  /** the update of one parameter (its state buffers under `${name}.<buffer>`) */
  protected abstract update(name: string, p: Tensor, grad: Float32Array): void;

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

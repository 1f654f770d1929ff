/**
 * What every model does at a spiking layer during a forward pass: look up the layer's leak and
 * threshold, apply the threshold-calibration hook, run the LIF scan (from rest, or from a given
 * membrane), count spikes and keep the final membrane when asked. Shared by VGG and ResNet.
 */
import { Tensor } from '../tensor/tensor.js';
import type { ForwardOptions } from './model.js';
import { avgPool2d } from '../tensor/ops/avg-pool.js';
import { canPoolInScan, lif, lifPooled, type LifOptions } from './lif.js';

export class LayerFiring {
  readonly spikeCounts: number[] = [];
  readonly finalMembrane: Map<number, Float32Array> | undefined;
  /** the next layer's current is the same at every step (first layer under direct input) */
  private constant: boolean;

  constructor(private readonly params: Map<string, Tensor>, private readonly opts: ForwardOptions, constantInput: boolean) {
    this.constant = constantInput;
    this.finalMembrane = opts.captureMembrane ? new Map() : undefined;
  }

  private param(key: string): Tensor {
    const t = this.params.get(key);
    if (!t) throw new Error(`missing parameter ${key}`);
    return t;
  }

  /** spikes [T*B, ...] of spiking layer `index` driven by `current` */
  fire(index: number, current: Tensor): Tensor {
    const { leak, threshold, options } = this.prepare(index, current);
    const out = lif(current, leak, threshold, options);
    this.spikeCounts.push(out.spikeCount);
    this.opts.observe?.({
      index, current: current.data, constantCurrent: options.constantCurrent, spikes: out.spikes.data, shape: out.spikes.shape,
      leak: leak.item(), threshold: threshold.item(),
    });
    if (this.finalMembrane && out.finalMembrane) this.finalMembrane.set(index, out.finalMembrane);
    return out.spikes;
  }

  /**
   * fire() then a 2x2 average pool: fused into the scan where the shapes allow (only the pooled
   * spikes are written), else the two ops
   */
  firePooled(index: number, current: Tensor): Tensor {
    // an observer sees the unpooled spikes
    if (!canPoolInScan(current) || this.opts.observe) return avgPool2d(this.fire(index, current), 2);
    const { leak, threshold, options } = this.prepare(index, current);
    const out = lifPooled(current, leak, threshold, options);
    this.spikeCounts.push(out.spikeCount);
    if (this.finalMembrane && out.finalMembrane) this.finalMembrane.set(index, out.finalMembrane);
    return out.pooled;
  }

  /** the layer's leak and threshold (after the calibration hook) and the scan's options */
  private prepare(index: number, current: Tensor): { leak: Tensor; threshold: Tensor; options: LifOptions } {
    const steps = this.opts.timesteps;
    let leak = this.param(`leak.l${index}`);
    let threshold = this.param(`threshold.t${index}`);
    if (this.opts.calibrate) {
      const stepSize = this.constant ? current.size : current.size / steps;
      threshold.data[0] = this.opts.calibrate(index, current.data, stepSize, this.constant);
      threshold = Tensor.scalar(threshold.data[0]);
      leak = Tensor.scalar(1);
    }
    const options: LifOptions = {
      steps,
      constantCurrent: this.constant,
      initialMembrane: this.opts.initialMembrane?.get(index),
      captureMembrane: this.finalMembrane !== undefined,
      surrogate: this.opts.surrogate,
    };
    this.constant = false;
    return { leak, threshold, options };
  }
}

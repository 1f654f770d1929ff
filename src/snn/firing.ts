/**
 * What every model does at a spiking layer during a forward pass: look up the layer's leak and
 * threshold, apply the threshold-calibration hook, run the LIF scan (from rest, or from a given
 * membrane), count spikes and keep the final membrane when asked. Shared by VGG and ResNet.
 */
import { Tensor } from '../tensor/tensor.js';
import type { ForwardOptions } from './model.js';
import { lif } from './lif.js';

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
    const steps = this.opts.timesteps;
    let leak = this.param(`leak.l${index}`);
    let threshold = this.param(`threshold.t${index}`);
    if (this.opts.calibrate) {
      const stepSize = this.constant ? current.size : current.size / steps;
      threshold.data[0] = this.opts.calibrate(index, current.data, stepSize, this.constant);
      threshold = Tensor.scalar(threshold.data[0]);
      leak = Tensor.scalar(1);
    }
    const out = lif(current, leak, threshold, {
      steps,
      constantCurrent: this.constant,
      initialMembrane: this.opts.initialMembrane?.get(index),
      captureMembrane: this.finalMembrane !== undefined,
    });
    this.spikeCounts.push(out.spikeCount);
    if (this.finalMembrane && out.finalMembrane) this.finalMembrane.set(index, out.finalMembrane);
    this.constant = false;
    return out.spikes;
  }
}

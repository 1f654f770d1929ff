/** Accumulates per-layer spike statistics over batches. */
import type { SpikingModel } from '../snn/model.js';

export interface LayerSpikeStats {
  name: string;
  index: number;
  neurons: number;
  totalSpikes: number;
  /** spikes per neuron per image, over all T steps */
  spikesPerNeuron: number;
  /** probability that a neuron fires at a given step */
  firingRate: number;
}

export class SpikeCounter {
  private readonly totals: number[];
  private images = 0;

  constructor(private readonly model: SpikingModel, private readonly timesteps: number) {
    this.totals = model.spikingLayers().map(() => 0);
  }

  add(counts: readonly number[], images: number): void {
    counts.forEach((c, i) => (this.totals[i] += c));
    this.images += images;
  }

  stats(): LayerSpikeStats[] {
    return this.model.spikingLayers().map((l, i) => {
      const perNeuron = this.images > 0 ? this.totals[i] / (l.neurons * this.images) : 0;
      return { name: l.name, index: l.index, neurons: l.neurons, totalSpikes: this.totals[i], spikesPerNeuron: perNeuron, firingRate: perNeuron / this.timesteps };
    });
  }

  /** layer index -> spikes per neuron per image, for the energy model */
  perNeuron(): Map<number, number> {
    return new Map(this.stats().map((s) => [s.index, s.spikesPerNeuron]));
  }
}

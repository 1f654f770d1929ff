/**
 * Energy estimate (the Spikformer/HIRE convention, 45 nm CMOS figures):
 *   ANN: E_MAC x MACs of every layer;
 *   SNN: E_MAC x MACs of ops reading the analog image (direct input, computed once per image)
 *        + E_AC x sum over ops reading spikes of MACs x spikes per input neuron over T.
 * Spikes per input neuron of an op = spikes of the spiking layer feeding it / its neurons
 * (average pooling in between keeps the mean rate).
 */
import type { SpikingModel } from '../snn/model.js';

export interface EnergyConstants {
  macPj: number;
  acPj: number;
}

export const DEFAULT_ENERGY: EnergyConstants = { macPj: 4.6, acPj: 0.9 };

export const ENERGY_CONVENTION =
  'ANN = E_MAC * sum of all MACs; SNN = E_MAC * MACs of ops on the analog input (once per image) + ' +
  'E_AC * sum over ops on spikes of MACs * (input spikes per neuron per image over all T steps); per image, picojoules';

export interface EnergyReport {
  convention: string;
  constants: EnergyConstants;
  annPj: number;
  snnPj: number;
  /** ANN energy / SNN energy */
  ratio: number;
  ops: { name: string; macs: number; inputSpikesPerNeuron: number | null; pj: number }[];
}

/** spikesPerNeuron: spiking layer index -> spikes per neuron per image over T */
export function estimateEnergy(model: SpikingModel, spikesPerNeuron: Map<number, number>, constants: EnergyConstants = DEFAULT_ENERGY): EnergyReport {
  let ann = 0;
  let snn = 0;
  const ops = model.weightedOps().map((op) => {
    ann += constants.macPj * op.macs;
    if (op.input.kind === 'analog') {
      const pj = constants.macPj * op.macs;
      snn += pj;
      return { name: op.name, macs: op.macs, inputSpikesPerNeuron: null, pj };
    }
    const rate = spikesPerNeuron.get(op.input.layer) ?? 0;
    const pj = constants.acPj * op.macs * rate;
    snn += pj;
    return { name: op.name, macs: op.macs, inputSpikesPerNeuron: rate, pj };
  });
  return { convention: ENERGY_CONVENTION, constants, annPj: ann, snnPj: snn, ratio: snn > 0 ? ann / snn : Infinity, ops };
}

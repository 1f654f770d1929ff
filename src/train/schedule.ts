/**
 * Learning-rate schedules, as pure functions of the position (epoch, batch), so a resumed run
 * needs no schedule state. Step: multiply by gamma at each milestone (fractions of the epochs,
 * the seed lineage's 0.6 and 0.8). Cosine: per batch from lr to 0 over the whole run.
 */
import type { ScheduleName } from './config.js';

export interface ScheduleOptions {
  kind: ScheduleName;
  lr: number;
  epochs: number;
  batchesPerEpoch: number;
  milestones: number[];
  gamma: number;
}

/** the epochs at which the step schedule decays: round(fraction * epochs) */
export function milestoneEpochs(o: Pick<ScheduleOptions, 'epochs' | 'milestones'>): number[] {
  return o.milestones.map((m) => Math.round(m * o.epochs));
}

export function learningRate(o: ScheduleOptions, epoch: number, batch: number): number {
  switch (o.kind) {
    case 'constant':
      return o.lr;
    case 'step': {
      const decays = milestoneEpochs(o).filter((m) => epoch >= m).length;
      return o.lr * o.gamma ** decays;
    }
    case 'cosine': {
      const total = Math.max(1, o.epochs * o.batchesPerEpoch);
      const at = epoch * o.batchesPerEpoch + batch;
      return 0.5 * o.lr * (1 + Math.cos((Math.PI * Math.min(at, total)) / total));
    }
    default:
      throw new Error(`unknown schedule ${String(o.kind)}`);
  }
}

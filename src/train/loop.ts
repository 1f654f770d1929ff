/**
 * The epoch loop shared by the three methods: seeded batches (shuffle + crop/flip), the
 * method's step, the schedule, per-epoch evaluation and log entry, atomic saves of the resume
 * state at the end of every epoch and every few minutes, and a clean stop between two steps
 * (Ctrl-C) that saves first. Everything random is seeded from (seed, epoch, batch), so a
 * resumed run repeats exactly what the uninterrupted one would have done.
 */
import type { SpikingModel } from '../snn/model.js';
import type { Optimizer } from '../tensor/optim/optimizer.js';
import type { Dataset } from '../data/dataset.js';
import { BatchLoader } from '../data/loader.js';
import { Rng, mixSeed } from '../data/rng.js';
import type { TrainConfig } from './config.js';
import { learningRate } from './schedule.js';
import { annStep } from './ann.js';
import { snnStep } from './snn-step.js';
import { hireStep, noiseEpsilonAt } from './hire-step.js';
import type { StepResult } from './step-common.js';
import { evaluateClean, type CleanEvalResult } from '../eval/clean.js';
import { emptySums, type TrainProgress } from './state.js';
import { nowIso, type EpochLogEntry } from './log.js';
import { checkStepFinite } from './finite-check.js';
import type { StartProgress } from '../progress.js';
import type { Batch } from '../data/batch.js';

export const DROPOUT_STREAM = 0x44524f;

export interface TrainUi {
  progress?: StartProgress;
  log?: (line: string) => void;
}

export interface LoopContext {
  config: TrainConfig;
  model: SpikingModel;
  optimizer: Optimizer;
  train: Dataset;
  test?: Dataset;
  progress: TrainProgress;
  ui: TrainUi;
  /** checked after every step and between evaluation batches */
  shouldStop: () => boolean;
  /** saves the resume state (and the model); called at epoch ends and on the timer (the caller saves after a stop) */
  save: (reason: 'epoch' | 'timer') => void;
  /** wall-clock milliseconds (tests replace it) */
  now?: () => number;
  /** called after every step (the run folder's lock says the run is alive) */
  onStep?: () => void;
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export function trainLoader(config: TrainConfig, train: Dataset): BatchLoader {
  return new BatchLoader(train, { batchSize: config.batch, shuffle: true, seed: config.seed, augment: config.augment });
}

/** one step of the configured method on batch k of epoch e */
export function runStep(ctx: Pick<LoopContext, 'config' | 'model' | 'optimizer'>, batch: Batch, epoch: number, k: number, batchesPerEpoch = 1): StepResult {
  const { config, model, optimizer } = ctx;
  const dropoutSeed = mixSeed(config.seed, epoch, k, DROPOUT_STREAM);
  switch (config.method) {
    case 'ann':
      return annStep(model, optimizer, batch, new Rng(dropoutSeed));
    case 'snn':
      return snnStep(model, optimizer, batch, { timesteps: config.timesteps, rng: new Rng(dropoutSeed), encoding: config.encoding });
    case 'hire':
      return hireStep(model, optimizer, batch, {
        timesteps: config.timesteps, periods: config.periods, dropoutSeed,
        epsilon: noiseEpsilonAt(config.noiseEps, config.noiseWarmup, epoch, k, batchesPerEpoch),
        noiseMode: config.noiseMode, project: config.noiseProject, carryMembrane: config.carryMembrane,
        loss: config.hireLoss, timing: config.noiseTiming, update: config.hireUpdate,
      });
  }
}

/** clean test evaluation with a progress bar; null when stopped */
export async function evaluateWithProgress(ctx: Pick<LoopContext, 'config' | 'model' | 'ui' | 'shouldStop'>, test: Dataset, label: string): Promise<CleanEvalResult | null> {
  const bar = ctx.ui.progress?.(label, test.count);
  try {
    return await evaluateClean(ctx.model, test, {
      ann: ctx.config.method === 'ann', timesteps: ctx.config.timesteps, batch: Math.max(ctx.config.batch, 64),
      encoding: ctx.config.encoding, seed: ctx.config.seed,
      onProgress: (done) => bar?.update(done), shouldStop: ctx.shouldStop, yieldEvery: tick,
    });
  } finally {
    bar?.stop();
  }
}

/** runs from ctx.progress to the last epoch; 'stopped' when shouldStop() said so (ctx.progress is then where to resume) */
export async function trainLoop(ctx: LoopContext): Promise<'done' | 'stopped'> {
  const { config, model, progress: st } = ctx;
  const now = ctx.now ?? Date.now;
  const loader = trainLoader(config, ctx.train);
  const perEpoch = loader.length;
  const layers = model.spikingLayers();
  const schedule = { kind: config.schedule, lr: config.lr, epochs: config.epochs, batchesPerEpoch: perEpoch, milestones: config.milestones, gamma: config.gamma };
  let lastSave = now();
  // what the run folder holds: the caller saved the starting point before the loop
  let saved = { epoch: st.epoch, batch: st.batch };
  const save = (reason: 'epoch' | 'timer') => {
    ctx.save(reason);
    lastSave = now();
    saved = { epoch: st.epoch, batch: st.batch };
  };
  const keptState = () => {
    if (saved.epoch === 0 && saved.batch === 0) return 'the run folder keeps the starting model';
    return `the run folder keeps the state after ${saved.epoch} epoch${saved.epoch === 1 ? '' : 's'}${saved.batch ? ` and ${saved.batch} batch${saved.batch === 1 ? '' : 'es'}` : ''}`;
  };

  while (st.epoch < config.epochs) {
    const e = st.epoch;
    // a resumed epoch's bar counts what is left, so its rate and ETA are this session's
    const skipped = Math.min(ctx.train.count, st.batch * config.batch);
    const label = `${config.method} epoch ${e + 1}/${config.epochs}${skipped ? ` (from image ${skipped + 1})` : ''}`;
    const bar = st.batch < perEpoch ? ctx.ui.progress?.(label, ctx.train.count - skipped) : undefined;
    let done = 0;
    try {
      while (st.batch < perEpoch) {
        const k = st.batch;
        const lr = learningRate(schedule, e, k);
        ctx.optimizer.lr = lr;
        const b = loader.batch(e, k);
        const t0 = now();
        const where = `epoch ${e + 1}, batch ${k + 1}`;
        let r: StepResult;
        try {
          r = runStep(ctx, b, e, k, perEpoch);
        } catch (err) {
          // a kernel refusing a non-finite threshold mid-step (HIRE updates once per period) is a divergence too
          checkStepFinite(0, model.params, where, keptState());
          throw err;
        }
        const s = st.sums;
        s.lossSum += r.loss * r.count;
        s.correct += r.correct;
        s.count += r.count;
        s.batches++;
        r.spikeCounts?.forEach((c, i) => (s.spikes[i] += c));
        s.seconds += (now() - t0) / 1000;
        st.elapsedSeconds += (now() - t0) / 1000;
        st.batch = k + 1;
        done += b.size;
        bar?.update(done, `loss ${(s.lossSum / s.count).toFixed(3)} acc ${((100 * s.correct) / s.count).toFixed(1)}% lr ${lr.toExponential(1)}`);
        checkStepFinite(r.loss, model.params, where, keptState());
        ctx.onStep?.();
        await tick();
        if (ctx.shouldStop()) return 'stopped';
        if (now() - lastSave >= config.saveEveryMinutes * 60_000) save('timer');
      }
    } finally {
      bar?.stop();
    }

    // end of the epoch: evaluate, log, save
    const t0 = now();
    const test = ctx.test ? await evaluateWithProgress(ctx, ctx.test, `test after epoch ${e + 1}`) : undefined;
    if (test === null) return 'stopped';
    const s = st.sums;
    const entry: EpochLogEntry = {
      event: 'epoch',
      epoch: e + 1,
      lr: learningRate(schedule, e, 0),
      trainLoss: s.count ? s.lossSum / s.count : 0,
      trainTop1: s.count ? (100 * s.correct) / s.count : 0,
      ...(config.method === 'ann' ? {} : {
        trainFiringRates: layers.map((l, i) => ({
          name: l.name,
          // HIRE: every image runs T steps in total (N periods of T/N)
          rate: s.count ? s.spikes[i] / (l.neurons * s.count * config.timesteps) : 0,
        })),
      }),
      ...(test ? { test: { n: test.n, top1: test.top1, loss: test.loss, firingRates: test.firingRates, meanFiringRate: test.meanFiringRate } } : {}),
      seconds: s.seconds + (now() - t0) / 1000,
      imagesPerSecond: s.seconds > 0 ? s.count / s.seconds : 0,
      time: nowIso(),
    };
    st.history.push(entry);
    if (test && (st.best === null || test.top1 > st.best.top1)) st.best = { top1: test.top1, epoch: e + 1 };
    ctx.ui.log?.(formatEpoch(entry, config.epochs));
    st.epoch = e + 1;
    st.batch = 0;
    st.sums = emptySums(layers.length);
    save('epoch');
    if (ctx.shouldStop()) return 'stopped';
  }
  return 'done';
}

export function formatEpoch(e: EpochLogEntry, epochs: number): string {
  const parts = [`epoch ${e.epoch}/${epochs}`, `lr ${e.lr.toExponential(2)}`, `train loss ${e.trainLoss.toFixed(4)} acc ${e.trainTop1.toFixed(2)}%`];
  if (e.test) parts.push(`test acc ${e.test.top1.toFixed(2)}% (n=${e.test.n})`);
  if (e.test?.meanFiringRate !== undefined) parts.push(`firing rate ${e.test.meanFiringRate.toFixed(4)}`);
  parts.push(`${e.imagesPerSecond.toFixed(1)} img/s`, `${e.seconds.toFixed(0)} s`);
  return parts.join(' | ');
}

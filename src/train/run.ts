/**
 * The `train` job: check every input before any work (options, --init file, --out, --resume),
 * load the data, build or restore the model and optimizer, convert an ANN when asked, run the
 * loop, and write DIR/model.safetensors (our checkpoint, read by `hire-snn eval`), DIR/log.jsonl
 * and DIR/train-state.safetensors (for --resume).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { SpikingModel } from '../snn/model.js';
import type { ModelSpec } from '../snn/spec.js';
import { buildModel } from '../snn/build.js';
import { specFromArch } from '../snn/arch.js';
import { loadStateDict } from '../io/spec-keys.js';
import { describeSpec } from '../snn/describe.js';
import type { LoadedModel } from '../io/load-model.js';
import { loadModelFile } from '../io/load.js';
import { saveCheckpoint } from '../io/checkpoint.js';
import { loadDatasets } from '../data/load.js';
import { NORMALIZATION, type Dataset } from '../data/dataset.js';
import { Rng, mixSeed } from '../data/rng.js';
import { parseTrainConfig, TrainConfigError, type TrainConfig, type TrainConfigInput } from './config.js';
import { checkInitSpec, datasetShape } from './model-spec.js';
import { makeOptimizer } from './step-common.js';
import { calibrationBatch, convertAnnToSnn, type ConversionResult } from './convert.js';
import { wantsConversion } from '../snn/thresholds.js';
import { trainLoop, evaluateWithProgress, trainLoader, type TrainUi } from './loop.js';
import { emptySums, hasState, loadState, saveState, statePath, type TrainProgress, type TrainStateMeta } from './state.js';
import { writeLog, nowIso, type EpochLogEntry } from './log.js';
import type { CleanEvalResult } from '../eval/clean.js';
import { RunFolder } from './run-folder.js';
import { RunLock } from './run-lock.js';
import { checkOutputDir } from '../io/output-path.js';
import { locateData } from '../data/locate.js';
import { describeNonFinite } from './finite-check.js';
import { hireRecordOf } from './trained-as.js';

export const MODEL_FILE = 'model.safetensors';
const INIT_STREAM = 0x494e49;

export interface TrainRequest {
  /** the options given (the rest defaulted by TrainConfigSchema); not needed to --resume */
  config?: TrainConfigInput;
  out: string;
  resume: boolean;
  /** dataset directory or archive */
  data?: string;
  /** options the user gave explicitly: on --resume they must agree with the saved run */
  explicit?: Partial<TrainConfig>;
}

export interface TrainEnv {
  ui?: TrainUi;
  shouldStop?: () => boolean;
  /** in-memory datasets instead of reading --data (tests) */
  datasets?: { train: Dataset; test?: Dataset };
  now?: () => number;
}

export interface TrainOutcome {
  status: 'finished' | 'stopped' | 'already-finished';
  dir: string;
  modelFile: string;
  stateFile: string;
  model: SpikingModel;
  metrics: Record<string, number>;
  conversion?: ConversionResult;
}

/** what the command checks before loading any data */
interface Prepared {
  config: TrainConfig;
  resumed?: ReturnType<typeof loadState>;
  init?: LoadedModel;
  spec: ModelSpec;
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

const alreadyHolds = (dir: string) => new TrainConfigError(`--out ${dir} already holds a training run: pass --resume to continue it, or choose another --out`);

function prepare(req: TrainRequest): Prepared {
  const dir = req.out;
  // a live run's folder is refused first: its state is being written
  if (checkOutputDir(dir, '--out').exists) RunLock.assertFree(dir, `--out ${dir}`);
  if (req.resume) {
    if (!hasState(dir)) throw new TrainConfigError(`--resume: ${dir} holds no training state (${statePath(dir)} not found)`);
    const resumed = loadState(dir);
    // how often to save is not part of the run's arithmetic: a resumed run may change it
    const saved = { ...resumed.meta.config, saveEveryMinutes: req.explicit?.saveEveryMinutes ?? resumed.meta.config.saveEveryMinutes };
    const conflicts = Object.entries(req.explicit ?? {})
      .filter(([k, v]) => v !== undefined && !sameValue(v, (saved as unknown as Record<string, unknown>)[k]))
      .map(([k, v]) => `${k}=${JSON.stringify(v)} (run has ${JSON.stringify((saved as unknown as Record<string, unknown>)[k])})`);
    if (conflicts.length) throw new TrainConfigError(`--resume continues the saved run with its own options; these differ: ${conflicts.join(', ')}`);
    return { config: saved, resumed, spec: resumed.meta.spec };
  }
  if (hasState(dir)) throw alreadyHolds(dir);
  if (!req.config) throw new TrainConfigError('--method is required (ann, snn or hire)');
  const config = parseTrainConfig({ ...req.config, data: req.data ? path.resolve(req.data) : req.config.data });
  if (config.init) {
    if (!fs.existsSync(config.init)) throw new TrainConfigError(`--init ${config.init}: no such file`);
    const init = loadModelFile(config.init, { normalization: NORMALIZATION[config.dataset] });
    const bad = describeNonFinite(init.model.params);
    if (bad) throw new TrainConfigError(`--init ${config.init}: the weights are not finite (${bad}); refusing to train from them`);
    checkInitSpec(init.spec, { ...config, init: config.init });
    return { config, init, spec: { ...init.spec, dropout: config.dropout } };
  }
  if (!config.arch) throw new TrainConfigError('--arch is required (or --init CHECKPOINT to start from a saved model)');
  return { config, spec: specFromArch(config.arch, { ...datasetShape(config.dataset), hidden: config.hidden, widths: config.widths, dropout: config.dropout }) };
}

function needsConversion(p: Prepared): boolean {
  const c = p.config;
  if (c.method === 'ann' || !p.init) return false;
  return wantsConversion(c.convert, p.init.method);
}

export async function runTraining(req: TrainRequest, env: TrainEnv = {}): Promise<TrainOutcome> {
  const p = prepare(req);
  // the data's files are found before anything is created (they are read once the folder is locked)
  if (!env.datasets && !p.resumed?.meta.progress.finished) locateData(p.config.dataset, ['train', 'test'], req.data ?? p.config.data);
  const folder = RunFolder.open(req.out, p.resumed !== undefined);
  let failed = true;
  try {
    // a run that finished between the look in prepare() and the lock
    if (!p.resumed && hasState(req.out)) throw alreadyHolds(req.out);
    const outcome = await trainIn(folder, p, req, env);
    failed = false;
    return outcome;
  } finally {
    folder.close(failed);
  }
}

async function trainIn(folder: RunFolder, p: Prepared, req: TrainRequest, env: TrainEnv): Promise<TrainOutcome> {
  const { config } = p;
  const ui = env.ui ?? {};
  const log = (line: string) => ui.log?.(line);
  const shouldStop = env.shouldStop ?? (() => false);
  const dir = req.out;

  if (p.resumed?.meta.progress.finished) {
    // nothing to train: no need to read the data
    const done = buildModel(p.spec, p.resumed.meta.normalization);
    loadStateDict(done, p.resumed.params, statePath(dir));
    const progress = p.resumed.meta.progress;
    log(`${dir}: the run already finished (${progress.epoch} epochs); nothing to do`);
    return {
      status: 'already-finished', dir, modelFile: path.join(dir, MODEL_FILE), stateFile: statePath(dir), model: done,
      metrics: metricsOf(progress, undefined), conversion: p.resumed.meta.conversion,
    };
  }
  const { train, test } = env.datasets ?? (await loadData(config, req.data ?? config.data));
  if (p.resumed) {
    // the position (epoch, batch) only means something on the same images
    const had = p.resumed.meta.images;
    if (had && (had.train !== train.count || had.test !== (test?.count ?? 0))) {
      throw new TrainConfigError(`--resume: the run trained on ${had.train} training / ${had.test} test images but the data now give ${train.count} / ${test?.count ?? 0}: pass the run's --data`);
    }
  }
  const images = { train: train.count, test: test?.count ?? 0 };
  const normalization = NORMALIZATION[config.dataset];

  // the model: restored, from --init, or freshly initialised from the seed
  let model: SpikingModel;
  let initFrom: TrainStateMeta['initFrom'];
  let conversion: ConversionResult | undefined;
  let progress: TrainProgress;
  if (p.resumed) {
    model = buildModel(p.spec, p.resumed.meta.normalization);
    loadStateDict(model, p.resumed.params, statePath(dir));
    initFrom = p.resumed.meta.initFrom;
    conversion = p.resumed.meta.conversion;
    progress = p.resumed.meta.progress;
  } else {
    if (p.init) {
      model = buildModel(p.spec, p.init.model.normalization);
      loadStateDict(model, new Map([...p.init.model.params].map(([k, t]) => [k, { shape: t.shape, data: t.data }])), config.init);
      initFrom = { file: path.resolve(p.init.file), sha256: p.init.sha256, method: p.init.method };
    } else {
      model = buildModel(p.spec, normalization, new Rng(mixSeed(config.seed, INIT_STREAM)));
    }
    progress = { epoch: 0, batch: 0, sums: emptySums(model.spikingLayers().length), history: [], best: null, elapsedSeconds: 0, finished: false };
  }
  const optimizer = makeOptimizer(model, { name: config.optimizer, lr: config.lr, momentum: config.momentum, weightDecay: config.weightDecay });
  if (p.resumed) optimizer.loadStateDict(p.resumed.optimizer);

  const hire = hireRecordOf(config);
  const checkpointInfo = (metrics: Record<string, number>) => ({
    spec: model.spec,
    timesteps: config.timesteps,
    normalization: model.normalization,
    dataset: config.dataset,
    method: config.method,
    metrics,
    training: {
      method: config.method, seed: config.seed, epochsDone: progress.epoch, config, ...(hire ? { hire } : {}),
      ...(initFrom ? { init: initFrom } : {}), ...(conversion ? { conversion } : {}),
      ...(progress.best ? { best: progress.best } : {}), elapsedSeconds: progress.elapsedSeconds,
    },
  });
  const save = () => {
    const file = saveState(dir, model, optimizer, { config, spec: model.spec, normalization: model.normalization, initFrom, conversion, progress, images });
    writeLog(dir, progress.history);
    saveCheckpoint(path.join(dir, MODEL_FILE), model, checkpointInfo(metricsOf(progress, undefined)));
    folder.markSaved();
    return file;
  };
  const outcome = (status: TrainOutcome['status'], metrics: Record<string, number>): TrainOutcome => ({
    status, dir, modelFile: path.join(dir, MODEL_FILE), stateFile: statePath(dir), model, metrics, conversion,
  });

  if (p.resumed) {
    log(`resuming ${dir} at epoch ${progress.epoch + 1}, batch ${progress.batch + 1} (${config.method}, ${describeSpec(model.spec)}, T=${config.timesteps})`);
    progress.history.push({ event: 'resume', time: nowIso(), epoch: progress.epoch + 1, batch: progress.batch });
  } else {
    log(`${config.method}: ${describeSpec(model.spec)}, ${train.count} training images, ${test ? `${test.count} test images, ` : ''}T=${config.timesteps}, ${config.epochs} epochs, batch ${config.batch}, ${config.optimizer} lr ${config.lr}, seed ${config.seed}${initFrom ? `, from ${initFrom.file} (${initFrom.method})` : ''}`);
    progress.history.push({ event: 'start', time: nowIso(), method: config.method, spec: describeSpec(model.spec), trainImages: train.count, testImages: test?.count ?? 0, config, ...(initFrom ? { init: initFrom } : {}) });
    if (needsConversion(p)) {
      const bar = ui.progress?.('convert (threshold search)', 1, 'pass');
      const calib = calibrationBatch(train, config.calibration, config.seed);
      conversion = convertAnnToSnn(model, calib, { timesteps: config.timesteps, percentile: config.percentile, scaling: config.scaling });
      bar?.update(1);
      bar?.stop();
      log(`converted: thresholds (${config.percentile}th percentile x ${config.scaling}) ${conversion.layers.map((l) => l.threshold.toFixed(3)).join(', ')} on ${conversion.calibrationImages} calibration images`);
      const converted = test ? await evaluateWithProgress({ config, model, ui, shouldStop }, test, 'test converted SNN') : undefined;
      if (converted) log(`converted SNN: test acc ${converted.top1.toFixed(2)}% (n=${converted.n}), firing rate ${converted.meanFiringRate?.toFixed(4)}`);
      progress.history.push({ event: 'conversion', time: nowIso(), ...conversion, ...(converted ? { test: converted } : {}) });
    }
    save();
  }

  const status = await trainLoop({ config, model, optimizer, train, test, progress, ui, shouldStop, save, now: env.now, onStep: () => folder.touch() });
  if (status === 'stopped') {
    progress.history.push({ event: 'interrupt', time: nowIso(), epoch: progress.epoch + 1, batch: progress.batch });
    save();
    return outcome('stopped', metricsOf(progress, undefined));
  }

  // final evaluation: the last epoch's test result is the final model's; run it when there was no epoch
  const last = [...progress.history].reverse().find((e): e is EpochLogEntry => e.event === 'epoch');
  let final: CleanEvalResult | undefined;
  if (test && (!last?.test || config.epochs === 0)) {
    const r = await evaluateWithProgress({ config, model, ui, shouldStop: () => false }, test, 'final test');
    final = r ?? undefined;
  }
  progress.finished = true;
  const metrics = metricsOf(progress, final);
  progress.history.push({ event: 'end', time: nowIso(), metrics });
  saveState(dir, model, optimizer, { config, spec: model.spec, normalization: model.normalization, initFrom, conversion, progress, images });
  writeLog(dir, progress.history);
  saveCheckpoint(path.join(dir, MODEL_FILE), model, checkpointInfo(metrics));
  return outcome('finished', metrics);
}

/** the training images (--limit) and the test images (--eval-limit); one read when both limits agree */
async function loadData(config: TrainConfig, data: string | undefined): Promise<{ train: Dataset; test: Dataset }> {
  if (config.limit === config.evalLimit) return loadDatasets(config.dataset, ['train', 'test'], { data, limit: config.limit });
  const { train } = await loadDatasets(config.dataset, ['train'], { data, limit: config.limit });
  const { test } = await loadDatasets(config.dataset, ['test'], { data, limit: config.evalLimit });
  return { train, test };
}

/** the checkpoint's metrics: the last epoch's (or a final evaluation's) test and train numbers */
function metricsOf(progress: TrainProgress, final: CleanEvalResult | undefined): Record<string, number> {
  const last = [...progress.history].reverse().find((e): e is EpochLogEntry => e.event === 'epoch');
  const m: Record<string, number> = { epochs: progress.epoch };
  const test = final ?? last?.test;
  if (test) {
    m.testTop1 = test.top1;
    m.testLoss = test.loss;
    m.testImages = test.n;
    if (test.meanFiringRate !== undefined) m.meanFiringRate = test.meanFiringRate;
  }
  if (last) {
    m.trainLoss = last.trainLoss;
    m.trainTop1 = last.trainTop1;
  }
  if (progress.best) {
    m.bestTestTop1 = progress.best.top1;
    m.bestEpoch = progress.best.epoch;
  }
  m.trainSeconds = progress.elapsedSeconds;
  return m;
}

export { trainLoader };

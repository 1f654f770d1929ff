/**
 * Small report inputs made in the test: eval result JSON in today's format (one ε, one T) and
 * in the sweep format (COMMON.md contract 2), and training run folders (log.jsonl, optionally a
 * tiny model.safetensors).
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeLog, type LogEntry } from '../../src/train/log.js';
import { saveCheckpoint } from '../../src/io/checkpoint.js';
import { buildModel } from '../../src/snn/build.js';
import { NORMALIZATION } from '../../src/data/dataset.js';
import type { VggSpec } from '../../src/snn/spec.js';

const layers = (names: string[], base: number) => names.map((name, i) => ({
  name, index: i * 3, neurons: 64 * (i + 1), totalSpikes: 1000, spikesPerNeuron: base + 0.1 * i, firingRate: (base + 0.1 * i) / 8,
}));

const energy = (ops: number) => ({
  convention: 'test convention',
  constants: { macPj: 4.6, acPj: 0.9 },
  annPj: 4.6e6 * ops, snnPj: 1e6 * ops, ratio: 4.6,
  ops: Array.from({ length: ops }, (_, i) => ({ name: `op${i}`, macs: 1e6, inputSpikesPerNeuron: i === 0 ? null : 1.1, pj: i === 0 ? 4.6e6 : 1e6 })),
});

const protocol = (eps: number, T: number, attacks: string[]) => ({
  timesteps: T, attacks, epsilon: eps, pgdSteps: 7, pgdStepSize: 0.01, pgdRandomStart: true, seed: 0,
  lossFunction: 'mean cross-entropy', normalization: { mean: [0.5], std: [0.25] }, mode: 'eval', gradient: 'BPTT',
});

/**
 * today's `eval --json`: clean, FGSM and PGD white-box at one ε and T (8 unless given), 4 spiking
 * layers, 5 weighted ops; `shift` is added to every accuracy
 */
export function singleEval(modelPath: string, opts: { architecture?: string; dataset?: string; sha256?: string; method?: string; timesteps?: number; shift?: number } = {}) {
  const s = opts.shift ?? 0;
  return {
    model: { path: modelPath, sha256: opts.sha256 ?? 'a'.repeat(64), format: 'hire-snn', architecture: opts.architecture ?? 'VGG [16,A] hidden [128] 10 classes', method: opts.method ?? 'hire' },
    dataset: { name: opts.dataset ?? 'cifar10', split: 'test', n: 500 },
    protocol: protocol(0.031, opts.timesteps ?? 8, ['clean', 'fgsm', 'pgd']),
    n: 500,
    results: { clean: { top1: 60 + s, top5: 95 }, fgsm: { whiteBox: { top1: 30 + s, top5: 80 } }, pgd: { whiteBox: { top1: 20 + s, top5: 70 } } },
    spikes: { clean: layers(['f0', 'f3', 'f6', 'c0'], 1), 'fgsm.whiteBox': layers(['f0', 'f3', 'f6', 'c0'], 1.2), 'pgd.whiteBox': layers(['f0', 'f3', 'f6', 'c0'], 1.3) },
    energy: energy(5),
    elapsedSeconds: 3,
  };
}

/** the sweep format: every (ε, T) of eps x T, FGSM white-box, PGD white- and black-box, worst case, diagnostics; 3 layers, 4 ops */
export function sweepEval(modelPath: string, eps: number[], T: number[]) {
  const point = (e: number, t: number) => {
    const drop = e * 1000 + (8 - t);
    return {
      epsilon: e, timesteps: t,
      results: {
        clean: { top1: 55 + t / 4, top5: 90 },
        fgsm: { whiteBox: { top1: 50 - drop, top5: 85 } },
        pgd: { whiteBox: { top1: 45 - drop, top5: 80 }, blackBox: { top1: 52 - drop / 2, top5: 88 } },
        worstCase: { top1: 40 - drop, brokenFirstBy: { pgd: 3, fgsm: 1 } },
      },
      spikes: { clean: layers(['f0', 'f3', 'c0'], 0.8), 'fgsm.whiteBox': layers(['f0', 'f3', 'c0'], 0.9), 'pgd.whiteBox': layers(['f0', 'f3', 'c0'], 1), 'pgd.blackBox': layers(['f0', 'f3', 'c0'], 0.85) },
      energy: energy(4),
      diagnostics: [
        { id: 'bb-stronger-than-wb', triggered: false, evidence: 'white-box 45 % < black-box 52 %', values: { whiteBox: 45, blackBox: 52 } },
        { id: 'zero-gradients', triggered: true, evidence: '40 % of samples have an all-zero input gradient', values: { share: 0.4 }, advice: 'try another surrogate' },
      ],
    };
  };
  const sweep = T.flatMap((t) => eps.map((e) => point(e, t)));
  return {
    format: 'hire-snn-eval/2',
    model: { path: modelPath, sha256: 'b'.repeat(64), format: 'hire-snn', architecture: 'VGG [16,A] hidden [128] 10 classes', method: 'snn' },
    bbModel: { path: 'runs/snn-s1/model.safetensors', sha256: 'c'.repeat(64), format: 'hire-snn', architecture: 'VGG [16,A] hidden [128] 10 classes', method: 'snn' },
    dataset: { name: 'cifar10', split: 'test', n: 200 },
    protocol: protocol(sweep[0].epsilon, sweep[0].timesteps, ['clean', 'fgsm', 'pgd']),
    n: 200,
    ...sweep[0],
    sweep,
    elapsedSeconds: 5,
  };
}

export function writeJson(file: string, value: unknown): string {
  fs.writeFileSync(file, JSON.stringify(value, null, 1));
  return file;
}

const TINY: VggSpec = { family: 'vgg', cfg: [4, 'A'], hidden: [8], labels: 10, inChannels: 3, imageSize: 8, kernel: 3, dropout: 0 };

/**
 * A run folder with `epochs` epochs; `snn` adds a conversion (epoch 0) and firing rates;
 * `model` writes a tiny checkpoint too.
 */
export function makeRun(dir: string, opts: { epochs: number; snn: boolean; model: boolean; dataset?: string }): string {
  fs.mkdirSync(dir, { recursive: true });
  const time = '2026-01-01T00:00:00.000Z';
  const rates = [{ name: 'features.0', rate: 0.1 }, { name: 'classifier.0', rate: 0.2 }];
  const method = opts.snn ? 'hire' : 'ann';
  const entries: LogEntry[] = [{ event: 'start', time, method, spec: 'VGG [4,A] hidden [8] 10 classes', config: { method, dataset: opts.dataset ?? 'cifar10', timesteps: 8 } }];
  if (opts.snn) entries.push({ event: 'conversion', time, layers: [], test: { n: 100, top1: 30, loss: 2.1, firingRates: rates, meanFiringRate: 0.15 } });
  for (let e = 1; e <= opts.epochs; e++) {
    entries.push({
      event: 'epoch', epoch: e, lr: 0.1 / e, trainLoss: 2 / e, trainTop1: 30 + e, seconds: 10, imagesPerSecond: 100, time,
      ...(opts.snn ? { trainFiringRates: rates } : {}),
      test: { n: 100, top1: 31 + e, loss: 2.2 / e, ...(opts.snn ? { firingRates: rates, meanFiringRate: 0.15 } : {}) },
    });
  }
  entries.push({ event: 'end', time, metrics: {} });
  writeLog(dir, entries);
  if (opts.model) {
    saveCheckpoint(path.join(dir, 'model.safetensors'), buildModel(TINY, NORMALIZATION.cifar10), {
      spec: TINY, timesteps: 8, normalization: NORMALIZATION.cifar10, dataset: opts.dataset ?? 'cifar10', method: opts.snn ? 'hire' : 'ann',
    });
  }
  return dir;
}

const NASTY = 'models/<img src=x onerror=alert(1)>"\'.pt';

/** the fixture set: today's JSON (one ε/T, an injection in its names), a 3ε x 2T sweep, an SNN run with a model, an ANN run without */
export function fixtureInputs(dir: string): string[] {
  return [
    writeJson(path.join(dir, 'a.json'), singleEval(NASTY, { architecture: '<script>alert(2)</script>' })),
    writeJson(path.join(dir, 'b.json'), sweepEval('runs/snn-s0/model.safetensors', [0, 4 / 255, 8 / 255], [4, 8])),
    makeRun(path.join(dir, 'hire-run'), { epochs: 3, snn: true, model: true }),
    makeRun(path.join(dir, 'ann-run'), { epochs: 2, snn: false, model: false }),
  ];
}

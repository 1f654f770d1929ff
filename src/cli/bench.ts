/**
 * `hire-snn bench`: images/s of inference, one PGD step and one training step, and peak RSS,
 * on a spiking VGG (or ResNet) whose thresholds come from the percentile search on real CIFAR-10 images.
 * `--export DIR` saves the model and batch for the PyTorch comparison (bench/run.sh),
 * `--load DIR` benchmarks a saved one; `--init FILE` a trained checkpoint (realistic spike rates).
 */
import type { Command } from 'commander';
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from './run.js';
import { intList, listOf, nonNegativeInt, oneOf, positiveInt, positiveNumber } from './options.js';
import { loadModelFile } from '../io/load.js';
import { parseArch } from '../snn/arch.js';
import { NORMALIZATION } from '../data/dataset.js';
import { CONVERT_MODES, wantsConversion, type ConvertMode } from '../snn/thresholds.js';
import { BENCH_MODEL_FILE, createBenchSetup, exportBenchSetup, loadBenchSetup, type BenchSetup } from '../perf/setup.js';
import { runBench, WORKLOADS, type Workload } from '../perf/measure.js';
import { checkOutputDir, checkOutputFile } from '../io/output-path.js';

interface RawOptions {
  arch?: string;
  timesteps: number;
  batch: number;
  classes: number;
  hidden: number[];
  seed: number;
  calib: number;
  scaling: number;
  data?: string;
  reps: number;
  workloads: Workload[];
  json?: string;
  export?: string;
  load?: string;
  init?: string;
  convert: ConvertMode;
}

const fmt = (v: number | undefined): string => (v === undefined ? '-' : v.toFixed(2));

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('images/s of inference, PGD step and training step, and peak RSS, on a spiking VGG or ResNet with searched thresholds')
    .option('--arch <arch>', 'vgg preset or layer list, or resnet12|resnet20|resnet34 (--hidden is ignored); with --init: where the file does not say (default: vgg11)')
    .option('--timesteps <T>', 'time steps', positiveInt('--timesteps'), 8)
    .option('--batch <n>', 'batch size', positiveInt('--batch'), 32)
    .option('--classes <n>', 'output classes', positiveInt('--classes'), 100)
    .option('--hidden <widths>', 'classifier hidden widths', intList('--hidden'), [4096, 4096])
    .option('--seed <s>', 'weight-init seed', nonNegativeInt('--seed'), 1)
    .option('--calib <n>', 'CIFAR-10 training images for the threshold search', positiveInt('--calib'), 128)
    .option('--scaling <f>', 'threshold scaling after the search', positiveNumber('--scaling'), 0.7)
    .option('--data <path>', 'CIFAR-10 directory or archive (default: the usual search)')
    .option('--reps <n>', 'timed repetitions per workload (after three warm-up runs)', positiveInt('--reps'), 3)
    .option('--workloads <list>', 'comma-separated: infer,pgd,train', listOf('--workloads', WORKLOADS), [...WORKLOADS])
    .option('--json <file>', 'write the results as JSON')
    .option('--export <dir>', 'save the model, thresholds and batch here (for bench/pytorch_bench.py)')
    .option('--init <file>', 'trained weights instead of random ones: our checkpoint or a .pt (arch, hidden, classes from the file)')
    .option('--convert <when>', 'threshold search on --init: auto (when it is an ANN) | always | never', oneOf('--convert', CONVERT_MODES), 'auto')
    .option('--load <dir>', 'benchmark a model saved with --export (ignores the model options)')
    .action(async (o: RawOptions) => {
      // where the results go is checked before the minutes of benchmarking
      if (o.json) checkOutputFile(o.json, '--json');
      if (o.export) checkOutputDir(o.export, '--export');
      let setup: BenchSetup;
      if (o.load) {
        if (!fs.existsSync(o.load)) throw new UserError(`--load ${o.load}: no such directory`);
        if (!fs.existsSync(path.join(o.load, BENCH_MODEL_FILE))) {
          throw new UserError(`--load ${o.load}: no ${BENCH_MODEL_FILE} there (a directory written by \`hire-snn bench --export\`)`);
        }
        setup = loadBenchSetup(o.load);
      } else {
        let init;
        if (o.init) {
          if (!fs.existsSync(o.init)) throw new UserError(`--init ${o.init}: no such file`);
          const loaded = loadModelFile(o.init, { arch: parseArch(o.arch), normalization: NORMALIZATION.cifar10 });
          init = { model: loaded.model, spec: loaded.spec, searchThresholds: wantsConversion(o.convert, loaded.method), label: path.basename(o.init) };
        }
        setup = await createBenchSetup({
          arch: o.arch ?? 'vgg11', classes: o.classes, hidden: o.hidden, timesteps: o.timesteps, batch: o.batch,
          seed: o.seed, calibImages: o.calib, scaling: o.scaling, data: o.data, init,
        });
        console.error(setup.calibration.images
          ? `thresholds: percentile search on ${setup.calibration.images} CIFAR-10 images x ${setup.calibration.scaling} (${setup.calibration.seconds.toFixed(1)} s)`
          : `thresholds: kept from ${o.init}`);
      }
      if (o.export) exportBenchSetup(setup, o.export);
      const r = runBench(setup, o.workloads, o.reps);
      console.log(`backend ${r.backend} (${r.threads} threads), batch ${r.batch}, T=${r.timesteps}`);
      console.log(`inference     ${fmt(r.inferImagesPerSec)} img/s`);
      console.log(`PGD step      ${fmt(r.pgdStepImagesPerSec)} img/s`);
      console.log(`training step ${fmt(r.trainStepImagesPerSec)} img/s`);
      console.log(`peak RSS      ${r.peakRssMiB.toFixed(0)} MiB`);
      console.log(`spike rates   ${r.spikeRates.map((s) => `${s.layer} ${(100 * s.rate).toFixed(2)}%`).join(', ')} (mean ${(100 * r.meanSpikeRate).toFixed(2)}%)`);
      if (o.json) fs.writeFileSync(o.json, JSON.stringify(r, null, 1));
    });
}

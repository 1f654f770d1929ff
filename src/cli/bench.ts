/**
 * `hire-snn bench`: images/s of inference, one PGD step and one training step, and peak RSS,
 * on a spiking VGG (or ResNet) whose thresholds come from the percentile search on real CIFAR-10 images.
 * `--export DIR` saves the model and batch for the PyTorch comparison (bench/run.sh),
 * `--load DIR` benchmarks a saved one.
 */
import type { Command } from 'commander';
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from './run.js';
import { intList, listOf, nonNegativeInt, positiveInt, positiveNumber } from './options.js';
import { createBenchSetup, exportBenchSetup, loadBenchSetup, type BenchSetup } from '../bench/setup.js';
import { runBench, WORKLOADS, type Workload } from '../bench/measure.js';

interface RawOptions {
  arch: string;
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
}

const fmt = (v: number | undefined): string => (v === undefined ? '-' : v.toFixed(2));

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('images/s of inference, PGD step and training step, and peak RSS, on a spiking VGG or ResNet with searched thresholds')
    .option('--arch <arch>', 'vgg preset or layer list, or resnet12|resnet20|resnet34 (--hidden is ignored)', 'vgg11')
    .option('--timesteps <T>', 'time steps', positiveInt('--timesteps'), 8)
    .option('--batch <n>', 'batch size', positiveInt('--batch'), 32)
    .option('--classes <n>', 'output classes', positiveInt('--classes'), 100)
    .option('--hidden <widths>', 'classifier hidden widths', intList('--hidden'), [4096, 4096])
    .option('--seed <s>', 'weight-init seed', nonNegativeInt('--seed'), 1)
    .option('--calib <n>', 'CIFAR-10 training images for the threshold search', positiveInt('--calib'), 128)
    .option('--scaling <f>', 'threshold scaling after the search', positiveNumber('--scaling'), 0.7)
    .option('--data <path>', 'CIFAR-10 directory or archive (default: the usual search)')
    .option('--reps <n>', 'timed repetitions per workload (after one warm-up)', positiveInt('--reps'), 3)
    .option('--workloads <list>', 'comma-separated: infer,pgd,train', listOf('--workloads', WORKLOADS), [...WORKLOADS])
    .option('--json <file>', 'write the results as JSON')
    .option('--export <dir>', 'save the model, thresholds and batch here (for bench/pytorch_bench.py)')
    .option('--load <dir>', 'benchmark a model saved with --export (ignores the model options)')
    .action(async (o: RawOptions) => {
      let setup: BenchSetup;
      if (o.load) {
        if (!fs.existsSync(o.load)) throw new UserError(`--load ${o.load}: no such directory`);
        if (!fs.existsSync(path.join(o.load, 'model.json'))) {
          throw new UserError(`--load ${o.load}: no model.json there (a directory written by \`hire-snn bench --export\`)`);
        }
        setup = loadBenchSetup(o.load);
      } else {
        setup = await createBenchSetup({
          arch: o.arch, classes: o.classes, hidden: o.hidden, timesteps: o.timesteps, batch: o.batch,
          seed: o.seed, calibImages: o.calib, scaling: o.scaling, data: o.data,
        });
        console.error(`thresholds: percentile search on ${setup.calibration.images} CIFAR-10 images x ${setup.calibration.scaling} (${setup.calibration.seconds.toFixed(1)} s)`);
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

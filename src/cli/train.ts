/** `hire-snn train`: ANN pretraining, ANN -> SNN conversion, traditional SNN and HIRE-SNN training. */
import type { Command } from 'commander';
import { UserError } from './run.js';
import { positiveInt, nonNegativeInt, nonNegativeNumber, positiveNumber, finiteNumber, numberList, intList, oneOf } from './options.js';
import { createProgress } from './progress.js';
import { DATASET_NAMES } from '../data/dataset.js';
import { ENCODINGS } from '../snn/model.js';
import { CONVERT_MODES } from '../snn/thresholds.js';
import {
  TRAIN_METHODS, OPTIMIZERS, SCHEDULES, NOISE_MODES, HIRE_LOSSES, NOISE_TIMINGS, HIRE_UPDATES, TrainConfigError, parseTrainConfig,
  type TrainConfig, type TrainConfigInput,
} from '../train/config.js';
import { runTraining } from '../train/run.js';

/** command-line options that are not part of the run's configuration */
const NOT_CONFIG = new Set(['out', 'resume', 'data']);

/** the defaults, as TrainConfigSchema fills them, for the help text */
const DEFAULTS = { ann: parseTrainConfig({ method: 'ann' }), snn: parseTrainConfig({ method: 'snn' }) };
function dflt(key: keyof TrainConfig): string {
  const text = (v: unknown) => (Array.isArray(v) ? v.join(',') : String(v));
  const [a, s] = [text(DEFAULTS.ann[key]), text(DEFAULTS.snn[key])];
  return `(default ${a === s ? a : `ann ${a}, snn/hire ${s}`})`;
}

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train an ANN, a spiking network (surrogate-gradient BPTT) or a HIRE-SNN; ANN -> SNN conversion with --init')
    .option('--method <m>', `${TRAIN_METHODS.join(' | ')} (required unless --resume)`, oneOf('--method', TRAIN_METHODS))
    .option('--arch <arch>', 'vgg5 | vgg11 | vgg16 | ... | resnet12 | resnet20 | a layer list like 16,A,32,32,A (A = avg-pool)')
    .option('--hidden <widths>', 'VGG classifier hidden widths (default 4096,4096)', intList('--hidden'))
    .option('--widths <widths>', 'ResNet stage widths (default 64,128,256,512)', intList('--widths'))
    .option('--dropout <p>', `dropout probability in [0, 1), masks fixed over the time steps ${dflt('dropout')}`, finiteNumber('--dropout'))
    .option('--init <file>', 'start from this checkpoint (ours or a .pt); an ANN is converted first for --method snn|hire')
    .option('--convert <when>', `threshold search on --init: auto (when it is an ANN) | always | never ${dflt('convert')}`, oneOf('--convert', CONVERT_MODES))
    .option('--dataset <name>', `${DATASET_NAMES.join(' | ')} ${dflt('dataset')}`, oneOf('--dataset', DATASET_NAMES))
    .option('--data <path>', 'dataset directory or archive (default: $HIRE_SNN_DATA, ./data, known locations)')
    .option('--limit <n>', 'train on the first n training images', positiveInt('--limit'))
    .option('--eval-limit <n>', 'evaluate on the first n test images (default: all)', positiveInt('--eval-limit'))
    .option('--timesteps <T>', `time steps ${dflt('timesteps')}`, positiveInt('--timesteps'))
    .option('--epochs <n>', `epochs ${dflt('epochs')}`, nonNegativeInt('--epochs'))
    .option('--batch <n>', `batch size ${dflt('batch')}`, positiveInt('--batch'))
    .option('--lr <x>', `learning rate ${dflt('lr')}`, positiveNumber('--lr'))
    .option('--optimizer <name>', `${OPTIMIZERS.join(' | ')} ${dflt('optimizer')}`, oneOf('--optimizer', OPTIMIZERS))
    .option('--momentum <m>', `SGD momentum ${dflt('momentum')}`, nonNegativeNumber('--momentum'))
    .option('--weight-decay <wd>', `L2 weight decay ${dflt('weightDecay')}`, nonNegativeNumber('--weight-decay'))
    .option('--schedule <s>', `${SCHEDULES.join(' | ')} ${dflt('schedule')}`, oneOf('--schedule', SCHEDULES))
    .option('--milestones <f>', `step schedule: decay points as fractions of the epochs in (0, 1) ${dflt('milestones')}`, numberList('--milestones'))
    .option('--gamma <g>', `step schedule: decay factor ${dflt('gamma')}`, positiveNumber('--gamma'))
    .option('--no-augment', 'no random crop + flip')
    .option('--seed <s>', `seed of initialisation, shuffling, augmentation, dropout (a second seed gives the black-box source model) ${dflt('seed')}`, nonNegativeInt('--seed'))
    .option('--encoding <e>', `input encoding of the SNN: direct | poisson (rate-coded baseline) ${dflt('encoding')}`, oneOf('--encoding', ENCODINGS))
    .option('--calibration <n>', `conversion: training images for the threshold search ${dflt('calibration')}`, positiveInt('--calibration'))
    .option('--percentile <q>', `conversion: percentile of the input current, in (0, 100] ${dflt('percentile')}`, finiteNumber('--percentile'))
    .option('--scaling <s>', `conversion: threshold scaling factor ${dflt('scaling')}`, positiveNumber('--scaling'))
    .option('--periods <N>', `hire: periods per image (T divisible by N) ${dflt('periods')}`, positiveInt('--periods'))
    .option('--noise-eps <e>', 'hire: step of the crafted noise in [0,1] pixel space (default 8/255)', nonNegativeNumber('--noise-eps'))
    .option('--noise-mode <m>', `hire: noise added to the previous period's input (cumulative) or to the clean image ${dflt('noiseMode')}`, oneOf('--noise-mode', NOISE_MODES))
    .option('--noise-project <e>', 'hire: project crafted inputs to this L-inf ball around the clean image', nonNegativeNumber('--noise-project'))
    .option('--noise-warmup <epochs>', `hire: the noise step grows linearly from 0 to --noise-eps over this many epochs ${dflt('noiseWarmup')}`, nonNegativeNumber('--noise-warmup'))
    .option('--noise-timing <t>', `hire: noise from the gradient of the pass that made the update (before-update) or of a pass on the updated weights (after-update) ${dflt('noiseTiming')}`, oneOf('--noise-timing', NOISE_TIMINGS))
    .option('--carry-membrane', 'hire: start each period from the neuron state the previous one left (default: from rest)')
    .option('--hire-loss <l>', `hire: loss of a period on its own output (period) or on the output summed over the periods so far (cumulative) ${dflt('hireLoss')}`, oneOf('--hire-loss', HIRE_LOSSES))
    .option('--hire-update <u>', `hire: an optimizer step after every period (per-period) or one per batch on the mean gradient (per-batch) ${dflt('hireUpdate')}`, oneOf('--hire-update', HIRE_UPDATES))
    .requiredOption('--out <dir>', 'run directory: model.safetensors, log.jsonl, train-state.safetensors')
    .option('--resume', 'continue the run saved in --out', false)
    .option('--save-every-minutes <m>', `also save the resume state this often within an epoch ${dflt('saveEveryMinutes')}`, positiveNumber('--save-every-minutes'))
    .action(async (raw: TrainConfigInput & { out: string; resume: boolean; data?: string }, cmd: Command) => {
      const { out, resume, data, ...given } = raw;
      if (!resume && !given.method) throw new UserError('--method is required (ann, snn or hire)');
      // options typed on the command line (a resumed run must agree with them)
      const explicit: Partial<TrainConfig> = {};
      for (const opt of cmd.options) {
        const name = opt.attributeName();
        if (cmd.getOptionValueSource(name) === 'cli' && !NOT_CONFIG.has(name)) (explicit as Record<string, unknown>)[name] = (given as Record<string, unknown>)[name];
      }

      let stop = false;
      const onSigint = () => {
        if (stop) {
          console.error('\nhire-snn: second Ctrl-C, quitting without saving');
          process.exit(130);
        }
        stop = true;
        console.error('\nhire-snn: Ctrl-C, finishing the current step and saving (Ctrl-C again to quit without saving)');
      };
      process.on('SIGINT', onSigint);
      try {
        const outcome = await runTraining(
          { config: given.method ? given : undefined, out, resume, data, explicit },
          {
            ui: { progress: (label, total, unit) => createProgress(label, total, unit), log: (line) => console.error(line) },
            shouldStop: () => stop,
          },
        );
        if (outcome.status === 'stopped') {
          console.error(`hire-snn: interrupted; state saved to ${outcome.stateFile} (model: ${outcome.modelFile}); continue with: hire-snn train --out ${out} --resume`);
          process.exitCode = 130;
          return;
        }
        const m = outcome.metrics;
        const parts = [`model ${outcome.modelFile}`];
        if (m.testTop1 !== undefined) parts.push(`test acc ${m.testTop1.toFixed(2)}% (n=${m.testImages})`);
        if (m.meanFiringRate !== undefined) parts.push(`firing rate ${m.meanFiringRate.toFixed(4)}`);
        parts.push(`${m.epochs} epochs`, `${(m.trainSeconds / 60).toFixed(1)} min training`);
        console.log(parts.join(' | '));
      } catch (err) {
        if (err instanceof TrainConfigError) throw new UserError(err.message);
        throw err;
      } finally {
        process.off('SIGINT', onSigint);
      }
    });
}

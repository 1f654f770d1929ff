/** `hire-snn train`: ANN pretraining, ANN -> SNN conversion, traditional SNN and HIRE-SNN training. */
import { Option, type Command } from 'commander';
import { UserError } from './run.js';
import { positiveInt, nonNegativeInt, nonNegativeNumber, positiveNumber, intList, oneOf } from './options.js';
import { createProgress } from './progress.js';
import { DATASET_NAMES, type DatasetName } from '../data/dataset.js';
import {
  TRAIN_METHODS, DEFAULT_NOISE_EPS, defaultsFor, TrainConfigError,
  type TrainMethod, type TrainConfig, type OptimizerName, type ScheduleName, type Encoding, type NoiseMode, type ConvertMode,
} from '../train/config.js';
import { runTraining } from '../train/run.js';

interface RawOptions {
  method?: TrainMethod;
  arch?: string;
  hidden?: number[];
  widths?: number[];
  dropout: number;
  init?: string;
  convert: ConvertMode;
  dataset: DatasetName;
  data?: string;
  limit?: number;
  evalLimit?: number;
  timesteps: number;
  epochs?: number;
  batch: number;
  lr?: number;
  optimizer?: OptimizerName;
  momentum: number;
  weightDecay?: number;
  schedule?: ScheduleName;
  milestones: number[];
  gamma: number;
  augment: boolean;
  seed: number;
  encoding: Encoding;
  calibration: number;
  percentile: number;
  scaling: number;
  periods: number;
  noiseEps: number;
  noiseMode: NoiseMode;
  noiseProject?: number;
  carryMembrane: boolean;
  out: string;
  resume: boolean;
  saveEveryMinutes: number;
}

function fractions(name: string) {
  return (v: string): number[] => {
    const parts = v.split(',').map((p) => Number(p.trim()));
    if (parts.some((p) => !(p > 0 && p < 1))) throw new UserError(`${name} must be fractions of the epochs in (0, 1) like 0.6,0.8, got "${v}"`);
    return parts;
  };
}

function percent(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !(n > 0 && n <= 100)) throw new UserError(`${name} must be in (0, 100], got "${v}"`);
    return n;
  };
}

function unitInterval(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !(n >= 0 && n < 1)) throw new UserError(`${name} must be in [0, 1), got "${v}"`);
    return n;
  };
}

/** config keys whose option has another name on the command line */
const KEY_OF_OPTION: Record<string, keyof TrainConfig | null> = { out: null, resume: null, data: null };

export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train an ANN, a spiking network (surrogate-gradient BPTT) or a HIRE-SNN; ANN -> SNN conversion with --init')
    .option('--method <m>', `${TRAIN_METHODS.join(' | ')} (required unless --resume)`, oneOf('--method', TRAIN_METHODS))
    .option('--arch <arch>', 'vgg5 | vgg11 | vgg16 | ... | resnet12 | resnet20 | a layer list like 16,A,32,32,A (A = avg-pool)')
    .option('--hidden <widths>', 'VGG classifier hidden widths (default 4096,4096)', intList('--hidden'))
    .option('--widths <widths>', 'ResNet stage widths (default 64,128,256,512)', intList('--widths'))
    .option('--dropout <p>', 'dropout probability (masks fixed over the time steps)', unitInterval('--dropout'), 0.2)
    .option('--init <file>', 'start from this checkpoint (ours or a .pt); an ANN is converted first for --method snn|hire')
    .option('--convert <when>', 'threshold search on --init: auto (when it is an ANN) | always | never', oneOf('--convert', ['auto', 'always', 'never'] as const), 'auto')
    .option('--dataset <name>', DATASET_NAMES.join(' | '), oneOf('--dataset', DATASET_NAMES), 'cifar10')
    .option('--data <path>', 'dataset directory or archive (default: $HIRE_SNN_DATA, ./data, known locations)')
    .option('--limit <n>', 'train on the first n training images', positiveInt('--limit'))
    .option('--eval-limit <n>', 'evaluate on the first n test images (default: all)', positiveInt('--eval-limit'))
    .option('--timesteps <T>', 'time steps', positiveInt('--timesteps'), 8)
    .option('--epochs <n>', 'epochs (default: ann 100, snn/hire 30)', nonNegativeInt('--epochs'))
    .option('--batch <n>', 'batch size', positiveInt('--batch'), 64)
    .option('--lr <x>', 'learning rate (default: ann 0.01, snn/hire 1e-4)', positiveNumber('--lr'))
    .option('--optimizer <name>', 'sgd | adam (default: ann sgd, snn/hire adam)', oneOf('--optimizer', ['sgd', 'adam'] as const))
    .option('--momentum <m>', 'SGD momentum', nonNegativeNumber('--momentum'), 0.9)
    .option('--weight-decay <wd>', 'L2 weight decay (default: ann 5e-4, snn/hire 0)', nonNegativeNumber('--weight-decay'))
    .option('--schedule <s>', 'step | cosine | constant', oneOf('--schedule', ['step', 'cosine', 'constant'] as const))
    .option('--milestones <f>', 'step schedule: decay points as fractions of the epochs', fractions('--milestones'), [0.6, 0.8])
    .option('--gamma <g>', 'step schedule: decay factor', positiveNumber('--gamma'), 0.1)
    .option('--no-augment', 'no random crop + flip')
    .option('--seed <s>', 'seed of initialisation, shuffling, augmentation, dropout (a second seed gives the black-box source model)', nonNegativeInt('--seed'), 0)
    .option('--encoding <e>', 'input encoding of the SNN: direct | poisson (rate-coded baseline)', oneOf('--encoding', ['direct', 'poisson'] as const), 'direct')
    .option('--calibration <n>', 'conversion: training images for the threshold search', positiveInt('--calibration'), 512)
    .option('--percentile <q>', 'conversion: percentile of the input current', percent('--percentile'), 99.7)
    .option('--scaling <s>', 'conversion: threshold scaling factor', positiveNumber('--scaling'), 0.7)
    .option('--periods <N>', 'hire: periods per image (T divisible by N)', positiveInt('--periods'), 2)
    .addOption(new Option('--noise-eps <e>', 'hire: step of the crafted noise in [0,1] pixel space').default(DEFAULT_NOISE_EPS, '8/255').argParser(nonNegativeNumber('--noise-eps')))
    .option('--noise-mode <m>', 'hire: noise added to the previous period\'s input (cumulative) or to the clean image', oneOf('--noise-mode', ['cumulative', 'from-clean'] as const), 'cumulative')
    .option('--noise-project <e>', 'hire: project crafted inputs to this L-inf ball around the clean image', nonNegativeNumber('--noise-project'))
    .option('--carry-membrane', 'hire: start each period from the neuron state the previous one left (default: from rest)', false)
    .requiredOption('--out <dir>', 'run directory: model.safetensors, log.jsonl, train-state.safetensors')
    .option('--resume', 'continue the run saved in --out', false)
    .option('--save-every-minutes <m>', 'also save the resume state this often within an epoch', positiveNumber('--save-every-minutes'), 10)
    .action(async (raw: RawOptions, cmd: Command) => {
      if (!raw.resume && !raw.method) throw new UserError('--method is required (ann, snn or hire)');
      const method = raw.method ?? 'snn';
      const d = defaultsFor(method);
      const config: TrainConfig = {
        method, arch: raw.arch, hidden: raw.hidden, widths: raw.widths, dropout: raw.dropout, init: raw.init, convert: raw.convert,
        dataset: raw.dataset, limit: raw.limit, evalLimit: raw.evalLimit, timesteps: raw.timesteps,
        epochs: raw.epochs ?? d.epochs, batch: raw.batch, lr: raw.lr ?? d.lr, optimizer: raw.optimizer ?? d.optimizer,
        momentum: raw.momentum, weightDecay: raw.weightDecay ?? d.weightDecay, schedule: raw.schedule ?? d.schedule,
        milestones: raw.milestones, gamma: raw.gamma, augment: raw.augment, seed: raw.seed, encoding: raw.encoding,
        calibration: raw.calibration, percentile: raw.percentile, scaling: raw.scaling,
        periods: raw.periods, noiseEps: raw.noiseEps, noiseMode: raw.noiseMode, noiseProject: raw.noiseProject,
        carryMembrane: raw.carryMembrane, saveEveryMinutes: raw.saveEveryMinutes,
      };
      // options typed on the command line (checked against a resumed run's own)
      const explicit: Partial<TrainConfig> = {};
      for (const opt of cmd.options) {
        const name = opt.attributeName();
        if (cmd.getOptionValueSource(name) !== 'cli') continue;
        const key = name in KEY_OF_OPTION ? KEY_OF_OPTION[name] : (name as keyof TrainConfig);
        if (key) (explicit as Record<string, unknown>)[key] = (config as unknown as Record<string, unknown>)[key];
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
          { config, out: raw.out, resume: raw.resume, data: raw.data, explicit },
          {
            ui: { progress: (label, total, unit) => createProgress(label, total, unit), log: (line) => console.error(line) },
            shouldStop: () => stop,
          },
        );
        if (outcome.status === 'stopped') {
          console.error(`hire-snn: interrupted; state saved to ${outcome.stateFile} (model: ${outcome.modelFile}); continue with: hire-snn train --out ${raw.out} --resume`);
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

/** `hire-snn eval`: the seed's robustness test workflow (clean, FGSM, PGD; white- and black-box). */
import type { Command } from 'commander';
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from './run.js';
import { positiveInt, nonNegativeInt, nonNegativeNumber, booleanFlag, intList, oneOf, listOf } from './options.js';
import { createProgress } from './progress.js';
import { ATTACK_NAMES } from '../eval/evaluate.js';
import { DATASET_NAMES } from '../data/dataset.js';
import { runEvaluation, type EvalCommandOptions } from '../eval/run-eval.js';
import { formatEvalReport } from '../eval/report.js';

type RawOptions = Omit<EvalCommandOptions, 'energy'> & { macPj: number; acPj: number };

function checkWritableTarget(file: string | undefined, option: string): void {
  if (!file) return;
  const dir = path.dirname(path.resolve(file));
  if (!fs.existsSync(dir)) throw new UserError(`${option} ${file}: directory ${dir} does not exist`);
}

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('clean, FGSM and PGD accuracy (white-box, and black-box with --bb-model), spikes and energy of a saved model')
    .requiredOption('--model <file>', 'model: our checkpoint (.safetensors) or a PyTorch .pt (either torch.save format)')
    .option('--bb-model <file>', 'black-box source: a second model of the same architecture (e.g. another seed)')
    .option('--arch <arch>', 'auto | vgg5 | vgg11 | vgg16 | resnet20 | ... | a layer list like 64,A,128,A', 'auto')
    .option('--hidden <widths>', 'classifier hidden widths of a VGG .pt (checked against the file)', intList('--hidden'))
    .option('--dataset <name>', `${DATASET_NAMES.join(' | ')} (default: the checkpoint's, else cifar10/cifar100 by class count)`, oneOf('--dataset', DATASET_NAMES))
    .option('--data <path>', 'dataset directory or archive (default: $HIRE_SNN_DATA, ./data, known locations)')
    .option('--inputs <file>', 'evaluate these images instead of a test split: safetensors with x01 [N,C,H,W] in [0,1] and labels [N]')
    .option('--timesteps <T>', 'time steps (default: the checkpoint\'s, else 8)', positiveInt('--timesteps'))
    .option('--attacks <list>', 'comma-separated: clean,fgsm,pgd', listOf('--attacks', ATTACK_NAMES), [...ATTACK_NAMES])
    .option('--eps <e>', 'L-inf budget in [0,1] pixel space', nonNegativeNumber('--eps'), 0.031)
    .option('--pgd-steps <k>', 'PGD iterations', positiveInt('--pgd-steps'), 7)
    .option('--pgd-step-size <a>', 'PGD step size', nonNegativeNumber('--pgd-step-size'), 0.01)
    .option('--pgd-random-start <bool>', 'uniform random start in [-eps, eps]', booleanFlag('--pgd-random-start'), true)
    .option('--batch <n>', 'batch size', positiveInt('--batch'), 32)
    .option('--limit <n>', 'evaluate the first n test images', positiveInt('--limit'))
    .option('--seed <s>', 'seed of the PGD random start', nonNegativeInt('--seed'), 0)
    .option('--json <file>', 'write the full results as JSON')
    .option('--save-outputs <file>', 'write per-example labels and logits (safetensors)')
    .option('--mac-pj <pJ>', 'energy of one MAC', nonNegativeNumber('--mac-pj'), 4.6)
    .option('--ac-pj <pJ>', 'energy of one accumulate', nonNegativeNumber('--ac-pj'), 0.9)
    .action(async (raw: RawOptions) => {
      for (const [opt, file] of [['--model', raw.model], ['--bb-model', raw.bbModel], ['--inputs', raw.inputs]] as const) {
        if (file !== undefined && !fs.existsSync(file)) throw new UserError(`${opt} ${file}: no such file`);
      }
      checkWritableTarget(raw.json, '--json');
      checkWritableTarget(raw.saveOutputs, '--save-outputs');
      const opts: EvalCommandOptions = { ...raw, energy: { macPj: raw.macPj, acPj: raw.acPj } };
      const result = await runEvaluation(opts, {
        progress: (total) => createProgress('eval', total),
        log: (line) => console.error(line),
      });
      console.log(formatEvalReport(result));
    });
}

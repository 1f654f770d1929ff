/**
 * `hire-snn eval`: robustness of a saved model — the seed's clean / FGSM / PGD workflow, any
 * list of registry attacks, or the strong suite — over lists of ε and T. Flags are parsed into
 * the eval options schema (src/eval/options.ts); the table is printed before files are written.
 */
import type { Command } from 'commander';
import fs from 'node:fs';
import { UserError } from './run.js';
import { booleanFlag, oneOf, nonNegativeNumber } from './options.js';
import { createProgress } from './progress.js';
import { DATASET_NAMES } from '../data/dataset.js';
import { ATTACK_NAMES } from '../attacks/registry.js';
import { STRONG_SUITE } from '../eval/suite.js';
import { flagName, type EvalOptionsInput } from '../eval/options.js';
import { SURROGATE_KINDS } from '../kernels/backend.js';
import { DEFAULT_ENSEMBLE, formatSurrogate } from '../attacks/surrogates.js';
import { ANN_ACTIVATIONS } from '../snn/model.js';
import { runEvaluation } from '../eval/run-eval.js';
import { formatEvalReport } from '../eval/report.js';

type RawOptions = Omit<EvalOptionsInput, 'energy'> & { macPj: number; acPj: number };

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('clean and adversarial accuracy (any attacks of the registry, or the strong suite), per-sample worst case, masking diagnostics, spikes and energy of a saved model')
    .requiredOption('--model <file>', 'model: our checkpoint (.safetensors) or a PyTorch .pt (either torch.save format)')
    .option('--bb-model <file>', 'black-box source: a second model of the same architecture (e.g. another seed)')
    .option('--arch <arch>', 'auto | vgg5 | vgg11 | vgg16 | resnet20 | ... | a layer list like 64,A,128,A', 'auto')
    .option('--hidden <widths>', 'classifier hidden widths of a VGG .pt (checked against the file)')
    .option('--dataset <name>', `${DATASET_NAMES.join(' | ')} (default: the checkpoint's, else cifar10/cifar100 by class count)`, oneOf('--dataset', DATASET_NAMES))
    .option('--data <path>', 'dataset directory or archive (default: $HIRE_SNN_DATA, ./data, known locations)')
    .option('--inputs <file>', 'evaluate these images instead of a test split: safetensors with x01 [N,C,H,W] in [0,1] and labels [N]')
    .option('--timesteps <list>', 'time steps, one run per value, e.g. 4,8 (default: the checkpoint\'s, else 8)')
    .option('--attacks <list>', `strong (${STRONG_SUITE.join(' -> ')}, chained) or a comma-separated list of clean,${ATTACK_NAMES.join(',')}`, 'clean,fgsm,pgd')
    .option('--chain', 'run the attacks one after another, each on the samples still correct (default with strong)')
    .option('--no-chain', 'run every attack on every sample')
    .option('--eps <list>', 'L-inf budgets in [0,1] pixel space, one run per value, e.g. 0,2/255,8/255 (clean is scored once)', '0.031')
    .option('--steps <k>', 'iterations of every iterative attack (default: each attack\'s own)')
    .option('--step-size <a>', 'step size of PGD-style attacks (default: each attack\'s own)')
    .option('--restarts <r>', 'random restarts per attack, strongest kept per sample (default: each attack\'s own)')
    .option('--queries <q>', 'model queries per image of score-based attacks (square; default 5000)')
    .option('--ann-activation <a>', 'the ANN transfer-ann crafts on: relu (the network it was converted from) | threshold-scaled (clamp(I/θ, 0, 1), each neuron\'s firing rate) (default relu)', oneOf('--ann-activation', ANN_ACTIVATIONS))
    .option('--surrogate <s>', `the surrogate white-box gradients go through: ${SURROGATE_KINDS.join('|')}[:width], e.g. pwl:0.5 (default: the model's training surrogate, pwl:1)`)
    .option('--surrogates <list>', `members of the surrogate ensemble (default: ${DEFAULT_ENSEMBLE.map(formatSurrogate).join(',')})`)
    .option('--eot <n>', 'gradient samples averaged per attack step (stochastic models only)')
    .option('--encoding <e>', 'input encoding: direct | poisson (default: the checkpoint\'s)', oneOf('--encoding', ['direct', 'poisson'] as const))
    .option('--eval-samples <n>', 'draws averaged into every accuracy of a stochastic model (default 1)')
    .option('--diagnostics', 'run the gradient-masking diagnostics (default with strong)')
    .option('--no-diagnostics', 'skip the gradient-masking diagnostics')
    .option('--diagnostic-samples <n>', 'clean-correct samples the diagnostics attack (default 100)')
    .option('--pgd-steps <k>', 'PGD iterations (the seed\'s flag; default 7)')
    .option('--pgd-step-size <a>', 'PGD step size (the seed\'s flag; default 0.01)')
    .option('--pgd-random-start <bool>', 'PGD: uniform random start in [-eps, eps]', booleanFlag('--pgd-random-start'), true)
    .option('--batch <n>', 'batch size', '32')
    .option('--limit <n>', 'evaluate the first n test images')
    .option('--seed <s>', 'seed of every random choice (starts, Poisson draws, square)', '0')
    .option('--json <file>', 'write the full results as JSON (format hire-snn-eval/2)')
    .option('--save-outputs <file>', 'write per-example labels and logits (safetensors)')
    .option('--mac-pj <pJ>', 'energy of one MAC', nonNegativeNumber('--mac-pj'), 4.6)
    .option('--ac-pj <pJ>', 'energy of one accumulate', nonNegativeNumber('--ac-pj'), 0.9)
    .action(async (raw: RawOptions) => {
      for (const [opt, file] of [['--model', raw.model], ['--bb-model', raw.bbModel], ['--inputs', raw.inputs]] as const) {
        if (file !== undefined && !fs.existsSync(file)) throw new UserError(`${opt} ${file}: no such file`);
      }
      const { macPj, acPj, ...rest } = raw;
      const input = Object.fromEntries(Object.entries({ ...rest, energy: { macPj, acPj } }).filter(([, v]) => v !== undefined));
      await runEvaluation(input as EvalOptionsInput, {
        progress: (label, total) => createProgress(`eval ${label}`, total),
        log: (line) => console.error(line),
        report: (r) => console.log(formatEvalReport(r)),
        optionName: flagName,
      });
    });
}

/** `hire-snn export`: write a model as a PyTorch state_dict (.pt) with the seed's key names. */
import type { Command } from 'commander';
import fs from 'node:fs';
import { UserError } from './run.js';
import { oneOf, intList } from './options.js';
import { loadModelFile } from '../io/load.js';
import { parseArch } from '../snn/arch.js';
import { exportTorch } from '../io/export.js';
import { NORMALIZATION } from '../data/dataset.js';
import { describeSpec } from '../snn/describe.js';

export function registerExport(program: Command): void {
  program
    .command('export')
    .description('write a model as a PyTorch .pt state_dict (seed key names; load_state_dict(strict=True) accepts it)')
    .requiredOption('--model <file>', 'our checkpoint or a .pt / safetensors state_dict')
    .requiredOption('--out <file.pt>', 'output file (written atomically)')
    .option('--format <f>', 'zip (torch >= 1.6) | legacy (torch 1.5, as the seed)', oneOf('--format', ['zip', 'legacy'] as const), 'zip')
    .option('--arch <arch>', 'architecture when the file does not record it', 'auto')
    .option('--hidden <widths>', 'classifier hidden widths (checked against the file)', intList('--hidden'))
    .action((o: { model: string; out: string; format: 'zip' | 'legacy'; arch: string; hidden?: number[] }) => {
      if (!fs.existsSync(o.model)) throw new UserError(`--model ${o.model}: no such file`);
      const loaded = loadModelFile(o.model, { arch: parseArch(o.arch), hidden: o.hidden, normalization: NORMALIZATION.cifar10 });
      exportTorch(loaded.model, o.out, o.format);
      console.log(`wrote ${o.out} (${o.format} torch.save state_dict, ${loaded.model.params.size} tensors, ${describeSpec(loaded.spec)})`);
    });
}

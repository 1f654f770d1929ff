/** `hire-snn data <dataset>`: where the data was found and what it holds (counts, classes). */
import type { Command } from 'commander';
import { classCounts, isDatasetName, NORMALIZATION, type Split } from '../data/dataset.js';
import { DataError } from '../data/errors.js';
import { readSource } from '../data/load.js';
import { locateData } from '../data/locate.js';

interface DataCmdOptions {
  data?: string;
  split: string;
  coarse?: boolean;
}

export function registerData(program: Command): void {
  program
    .command('data')
    .description('locate and check a dataset (cifar10, cifar100, mnist, fashion-mnist): files, counts, classes')
    .argument('<dataset>', 'cifar10 | cifar100 | mnist | fashion-mnist')
    .option('--data <path>', 'data directory or archive (default: $HIRE_SNN_DATA, ./data, known places)')
    .option('--split <split>', 'train, test or both', 'both')
    .option('--coarse', 'CIFAR-100: the 20 coarse classes')
    .action(async (name: string, opts: DataCmdOptions) => {
      if (!isDatasetName(name)) throw new DataError(`unknown dataset '${name}' (known: cifar10, cifar100, mnist, fashion-mnist)`);
      if (!['train', 'test', 'both'].includes(opts.split)) throw new DataError(`--split must be train, test or both, not '${opts.split}'`);
      const splits: Split[] = opts.split === 'both' ? ['train', 'test'] : [opts.split as Split];
      const source = locateData(name, splits, opts.data);
      const t0 = performance.now();
      const sets = await readSource(source, splits, { coarse: opts.coarse });
      const secs = (performance.now() - t0) / 1000;
      console.log(`${name}: ${source.kind === 'archive' ? 'archive' : 'directory'} ${source.path} (read in ${secs.toFixed(1)} s)`);
      const norm = NORMALIZATION[name];
      console.log(`normalisation: mean ${norm.mean.join(', ')}  std ${norm.std.join(', ')}`);
      for (const split of splits) {
        const d = sets[split];
        console.log(`${split}: ${d.count} images of ${d.channels}x${d.height}x${d.width}, ${d.numClasses} classes`);
        const counts = classCounts(d);
        const width = Math.max(...d.classes.map((c) => c.length));
        d.classes.forEach((c, i) => console.log(`  ${String(i).padStart(3)} ${c.padEnd(width)}  ${counts[i]}`));
      }
    });
}

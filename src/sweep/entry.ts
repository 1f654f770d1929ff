/**
 * How to start this package's command line in another process (a cell's attempt, a Slurm
 * job): the built dist/src/cli/main.js, or from source through tsx when this module itself
 * runs from source (tests, `node --import tsx src/cli/main.ts`).
 */
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

export function cliCommand(): string[] {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) {
    const tsx = createRequire(import.meta.url).resolve('tsx');
    return [process.execPath, '--import', tsx, fileURLToPath(new URL('../cli/main.ts', import.meta.url))];
  }
  return [process.execPath, fileURLToPath(new URL('../cli/main.js', import.meta.url))];
}

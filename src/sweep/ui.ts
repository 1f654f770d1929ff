/** What a sweep tells its user (the command line passes these down; the library prints nothing). */
import type { ProgressReporter } from '../progress.js';
import { describeCoords, type Cell } from './expand.js';

export interface SweepUi {
  /** a progress bar over the cells to run, with ETA */
  progress?: (total: number) => ProgressReporter;
  log?: (line: string) => void;
}

/** "snn method=hire timesteps=4 [3f2a...]" */
export function describeCell(c: Pick<Cell, 'id' | 'stage' | 'coords'>): string {
  const coords = describeCoords(c.coords);
  return `${c.stage}${coords ? ` ${coords}` : ''} [${c.id}]`;
}

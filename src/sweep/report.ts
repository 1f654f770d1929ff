/**
 * DIR/report.html for a sweep: `hire-snn report`'s page over the sweep's finished cells
 * (every training run and every eval result), each named by its stage and coordinates. The
 * report names a run by its folder, so the inputs are handed over as symlinks with those names
 * (in DIR/.report-inputs/, removed afterwards).
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeReport } from '../report/build.js';
import { describeCoords, type Plan } from './expand.js';
import { CELL_FILES, cellDir, readDone } from './cell-dir.js';

export const REPORT_HTML = 'report.html';

/** a file name for a cell: "snn method=hire timesteps=4" */
const label = (stage: string, coords: Record<string, unknown>) => `${stage} ${describeCoords(coords)}`.trim().replace(/[/\\]/g, '_');

export async function writeSweepReport(out: string, plan: Plan, title: string): Promise<{ file: string; charts: number } | undefined> {
  const links = path.join(out, '.report-inputs');
  fs.rmSync(links, { recursive: true, force: true });
  fs.mkdirSync(links);
  try {
    const inputs: string[] = [];
    for (const c of plan.cells) {
      const dir = cellDir(out, c.id);
      if (!readDone(dir)) continue;
      const target = path.join(dir, c.kind === 'train' ? CELL_FILES.run : CELL_FILES.eval);
      const link = path.join(links, `${label(c.stage, c.coords)}${c.kind === 'eval' ? '.json' : ''}`);
      fs.symlinkSync(target, link);
      inputs.push(link);
    }
    if (inputs.length === 0) return undefined;
    const file = path.join(out, REPORT_HTML);
    const r = await writeReport(inputs, file, { title });
    return { file, charts: r.charts };
  } finally {
    fs.rmSync(links, { recursive: true, force: true });
  }
}

/**
 * Reads an eval result JSON (`hire-snn eval --json`) for the report through the eval results
 * schema (src/eval/result-schema.ts: format 2, and format-1 files upgraded to one sweep entry).
 * Its `sweep` holds one point per evaluated (ε, T).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseEvalResult, EvalResultError, type EvalResultJson, type SweepEntry } from '../eval/result-schema.js';
import { ReportInputError } from './errors.js';

/** `hire-snn sweep`'s DIR/results.json (src/sweep/results.ts) */
const SWEEP_RESULTS = 'hire-snn-sweep-results/1';

export interface EvalInput {
  kind: 'eval';
  file: string;
  data: EvalResultJson;
  /** one per evaluated (ε, T); the first is what the top-level fields hold */
  points: SweepEntry[];
}

export function readEvalFile(file: string): EvalInput {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ReportInputError(`${file}: ${err instanceof SyntaxError ? 'not valid JSON' : (err as Error).message}`);
  }
  if ((json as { format?: unknown } | null)?.format === SWEEP_RESULTS) {
    const dir = path.dirname(file);
    throw new ReportInputError(`${file}: a sweep's results table, not an eval result; open ${path.join(dir, 'report.html')} (hire-snn sweep writes it) or give the cells' eval results (${path.join(dir, 'cells', '*', 'eval.json')})`);
  }
  try {
    const data = parseEvalResult(json, file);
    return { kind: 'eval', file, data, points: data.sweep };
  } catch (err) {
    if (err instanceof EvalResultError) throw new ReportInputError(`${err.message}; write one with hire-snn eval --json`);
    throw err;
  }
}

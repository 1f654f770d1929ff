/**
 * Reads a training run folder (`hire-snn train --out DIR`) for the report: the validated
 * log.jsonl and the identity of DIR/model.safetensors (sha256, architecture, T, method, dataset).
 * A run still in progress has no model.safetensors yet; its identity then comes from the log.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { readLog, LogFormatError, type LogEntry, type EpochLogEntry } from '../train/log.js';
import { readCheckpoint } from '../io/checkpoint.js';
import { describeSpec } from '../snn/describe.js';
import { MODEL_FILE } from '../train/run.js';
import { ReportInputError } from './errors.js';

export interface ModelIdentity {
  path: string;
  /** absent when the run has not written its model yet */
  sha256?: string;
  architecture?: string;
  timesteps?: number;
  method?: string;
  dataset?: string;
}

export interface RunInput {
  kind: 'run';
  dir: string;
  log: LogEntry[];
  epochs: EpochLogEntry[];
  model: ModelIdentity;
}

export function readRunFolder(dir: string): RunInput {
  let log: LogEntry[];
  try {
    log = readLog(dir);
  } catch (err) {
    if (err instanceof LogFormatError) throw new ReportInputError(err.message);
    throw err;
  }
  const start = log.find((e) => e.event === 'start') as Record<string, unknown> | undefined;
  const config = (start?.config ?? {}) as Record<string, unknown>;
  const file = path.join(dir, MODEL_FILE);
  const model: ModelIdentity = {
    path: file,
    architecture: typeof start?.spec === 'string' ? start.spec : undefined,
    timesteps: typeof config.timesteps === 'number' ? config.timesteps : undefined,
    method: typeof config.method === 'string' ? config.method : undefined,
    dataset: typeof config.dataset === 'string' ? config.dataset : undefined,
  };
  if (fs.existsSync(file)) {
    const bytes = fs.readFileSync(file);
    model.sha256 = createHash('sha256').update(bytes).digest('hex');
    try {
      const { meta } = readCheckpoint(file);
      Object.assign(model, { architecture: describeSpec(meta.spec), timesteps: meta.timesteps, method: meta.method, dataset: meta.dataset ?? model.dataset });
    } catch (err) {
      throw new ReportInputError(`${file}: ${(err as Error).message}`);
    }
  }
  const epochs = log.filter((e): e is EpochLogEntry => e.event === 'epoch');
  return { kind: 'run', dir, log, epochs, model };
}

/**
 * The run's JSON log: one line per event (start, conversion, epoch, resume, interrupt, end).
 * The entries live in the resume state and log.jsonl is rewritten from them at every save, so
 * the log always matches the state (a killed run never leaves duplicate or missing epochs).
 */
import path from 'node:path';
import { atomicWriteChunks } from '../io/atomic-write.js';
import type { LayerRate } from './eval-clean.js';

export interface EpochLogEntry {
  event: 'epoch';
  /** 1-based */
  epoch: number;
  lr: number;
  /** training loss and accuracy, averaged over the epoch's batches (HIRE: loss over all periods, accuracy on the clean period) */
  trainLoss: number;
  trainTop1: number;
  /** spikes per neuron per step over the epoch's training batches, per spiking layer */
  trainFiringRates?: LayerRate[];
  test?: { n: number; top1: number; loss: number; firingRates?: LayerRate[]; meanFiringRate?: number };
  /** seconds spent in this epoch (training + evaluation), and images per second of training */
  seconds: number;
  imagesPerSecond: number;
  time: string;
}

export interface EventLogEntry {
  event: 'start' | 'resume' | 'conversion' | 'interrupt' | 'end';
  time: string;
  [key: string]: unknown;
}

export type LogEntry = EpochLogEntry | EventLogEntry;

export const LOG_FILE = 'log.jsonl';

export function writeLog(dir: string, entries: readonly LogEntry[]): void {
  const text = entries.map((e) => JSON.stringify(e)).join('\n') + (entries.length ? '\n' : '');
  atomicWriteChunks(path.join(dir, LOG_FILE), [Buffer.from(text)]);
}

export function nowIso(): string {
  return new Date().toISOString();
}

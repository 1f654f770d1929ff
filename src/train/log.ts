/**
 * The run's JSON log: one line per event (start, conversion, epoch, resume, interrupt, end).
 * The entries live in the resume state and log.jsonl is rewritten from them at every save, so
 * the log always matches the state (a killed run never leaves duplicate or missing epochs).
 * The schema below is the one description of an entry: the trainer writes it, `readLog`
 * (the report) validates it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { atomicWriteChunks } from '../io/atomic-write.js';

/** JSON writes NaN and Infinity as null: a diverged run's loss reads back as NaN */
const jsonNumber = z.preprocess((v) => (v === null ? NaN : v), z.union([z.number(), z.nan()]));

const layerRateSchema = z.object({ name: z.string(), rate: jsonNumber });

export const epochLogEntrySchema = z.object({
  event: z.literal('epoch'),
  /** 1-based */
  epoch: z.number().int().positive(),
  lr: z.number(),
  /** training loss and accuracy, averaged over the epoch's batches (HIRE: loss over all periods, accuracy on the clean period) */
  trainLoss: jsonNumber,
  trainTop1: jsonNumber,
  /** spikes per neuron per step over the epoch's training batches, per spiking layer */
  trainFiringRates: z.array(layerRateSchema).optional(),
  test: z.object({
    n: z.number(), top1: jsonNumber, loss: jsonNumber,
    firingRates: z.array(layerRateSchema).optional(), meanFiringRate: jsonNumber.optional(),
  }).optional(),
  /** seconds spent in this epoch (training + evaluation), and images per second of training */
  seconds: z.number(),
  imagesPerSecond: z.number(),
  time: z.string(),
});

export const eventLogEntrySchema = z.object({
  event: z.enum(['start', 'resume', 'conversion', 'interrupt', 'end']),
  time: z.string(),
}).passthrough();

/** any entry, told apart by its event */
export const logEntrySchema = z.discriminatedUnion('event', [epochLogEntrySchema, eventLogEntrySchema]);

export type EpochLogEntry = z.infer<typeof epochLogEntrySchema>;
export type EventLogEntry = z.infer<typeof eventLogEntrySchema>;
export type LogEntry = EpochLogEntry | EventLogEntry;

export const LOG_FILE = 'log.jsonl';

export function writeLog(dir: string, entries: readonly LogEntry[]): void {
  const text = entries.map((e) => JSON.stringify(e)).join('\n') + (entries.length ? '\n' : '');
  atomicWriteChunks(path.join(dir, LOG_FILE), [Buffer.from(text)]);
}

export class LogFormatError extends Error {}

/** reads and validates DIR/log.jsonl; a malformed line is an error naming the file and the line */
export function readLog(dir: string): LogEntry[] {
  const file = path.join(dir, LOG_FILE);
  if (!fs.existsSync(file)) throw new LogFormatError(`${dir}: no ${LOG_FILE} (not a training run folder)`);
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const entries: LogEntry[] = [];
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      throw new LogFormatError(`${file}:${i + 1}: not JSON`);
    }
    const isEpoch = (json as { event?: unknown } | null)?.event === 'epoch';
    const parsed = (isEpoch ? epochLogEntrySchema : eventLogEntrySchema).safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new LogFormatError(`${file}:${i + 1}: not a training log entry (${issue.path.join('.') || 'entry'}: ${issue.message})`);
    }
    entries.push(parsed.data);
  });
  return entries;
}

export function nowIso(): string {
  return new Date().toISOString();
}

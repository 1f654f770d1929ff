/**
 * Validation of structured input (checkpoint metadata, training state, configurations) with
 * zod schemas, reported as one line a user can act on: where, what is wrong, what was there.
 */
import type { z } from 'zod';

function valueAt(input: unknown, path: readonly (string | number)[]): unknown {
  let v = input;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[k];
  }
  return v;
}

function shown(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 40)}...` : s;
}

/** a failed parse as one line: `timesteps: Number must be greater than or equal to 1 (got -5); ...` */
export function issuesLine(error: z.ZodError, input: unknown, max = 3): string {
  const parts = error.issues.slice(0, max).map((i) => {
    const where = i.path.length ? `${i.path.join('.')}: ` : '';
    const got = i.code === 'custom' || i.code === 'unrecognized_keys' ? '' : ` (got ${shown(valueAt(input, i.path))})`;
    return `${where}${i.message}${got}`;
  });
  const more = error.issues.length > max ? `; ... (${error.issues.length} problems)` : '';
  return parts.join('; ') + more;
}

/** the parsed value, or `toError(one line)` thrown */
export function parseOrThrow<S extends z.ZodTypeAny>(schema: S, input: unknown, toError: (line: string) => Error): z.output<S> {
  const r = schema.safeParse(input);
  if (!r.success) throw toError(issuesLine(r.error, input));
  return r.data as z.output<S>;
}

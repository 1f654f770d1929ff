/**
 * A cell's identity: the sha256 of its canonical config (keys sorted, undefined dropped), so
 * the same config always lands in the same DIR/cells/<id>/ and a changed one never reuses it.
 */
import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level; undefined members are left out (as JSON.stringify does) */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** bumped when what a config means changes, so old cells are not taken for new ones */
const CELL_FORMAT = 'hire-snn-sweep-cell/1';

/** 16 hex digits (64 bits) of sha256 over the format tag, the command and its config */
export function cellId(kind: string, config: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson({ format: CELL_FORMAT, kind, config })).digest('hex').slice(0, 16);
}

/**
 * JSON.parse with a budget: the text is scanned first (values, nesting depth) and its parsed
 * size charged, so a header of a million `{}` cannot make JSON.parse allocate gigabytes.
 */
import { CheckpointError } from './errors.js';
import { COST, type Budget } from './read-budget.js';

/** values (an upper bound: separators plus containers plus one) and container nesting of a JSON text, without parsing it */
export function jsonShape(text: string): { values: number; depth: number } {
  let values = 1;
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x2c || c === 0x3a) values++; // , :
    else if (c === 0x5b || c === 0x7b) {
      values++;
      if (++depth > deepest) deepest = depth;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return { values, depth: deepest };
}

export interface JsonLimits {
  /** deepest nesting of arrays and objects */
  maxDepth: number;
  /** most values (keeps what validates it afterwards fast too) */
  maxValues?: number;
}

/** JSON.parse of `text` after charging its parsed size to `budget`; `what` names it in errors */
export function parseJsonBounded(text: string, budget: Budget, what: string, limits: JsonLimits = { maxDepth: 16 }): unknown {
  const shape = jsonShape(text);
  if (shape.depth > limits.maxDepth) throw new CheckpointError(`${what} nests ${shape.depth} levels deep (at most ${limits.maxDepth} expected)`);
  if (limits.maxValues !== undefined && shape.values > limits.maxValues) throw new CheckpointError(`${what} holds ${shape.values} values (at most ${limits.maxValues} expected)`);
  budget.take(COST.json * shape.values + 2 * text.length, what);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    // the parser's message quotes the text: keep it on one line
    const msg = [...(err instanceof Error ? err.message : String(err))].map((c) => (c < ' ' || c === '\u2028' || c === '\u2029' ? ' ' : c)).join('');
    throw new CheckpointError(`${what} is not valid JSON (${msg})`);
  }
}

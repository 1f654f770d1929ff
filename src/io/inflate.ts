/**
 * Raw DEFLATE (zip method 8) with a hard output bound, portable (fflate's streaming inflater,
 * no Node built-ins, so the readers run in a browser too). The input goes in slices small
 * enough that one slice cannot inflate past a few MiB over what is left to fill, so a deflate
 * bomb stops after at most its declared size, never inflating in full.
 */
import { Inflate } from 'fflate';

/** DEFLATE's best ratio: one input byte never yields more than this many output bytes */
const MAX_RATIO = 1032;
const MIN_SLICE = 16 << 10;
const MAX_SLICE = 1 << 20;

export class InflateError extends Error {}

/** inflates `raw` into exactly `size` bytes; InflateError when it holds more, less or garbage */
export function inflateExact(raw: Uint8Array, size: number): Uint8Array {
  if (raw.length === 0) throw new InflateError('no deflate data');
  const out = new Uint8Array(size);
  let got = 0;
  let ended = false;
  const sink = new Inflate((chunk, final) => {
    if (got + chunk.length > size) throw new InflateError(`inflates past the declared ${size} bytes`);
    out.set(chunk, got);
    got += chunk.length;
    if (final) ended = true;
  });
  for (let at = 0; at < raw.length && !ended; ) {
    // the worst case of one slice (fflate doubles its buffer) stays under a quarter of what is left, or 16 MiB
    const room = Math.max(16 << 20, (size - got) / 4);
    const slice = Math.max(MIN_SLICE, Math.min(MAX_SLICE, Math.floor(room / (2 * MAX_RATIO))));
    const end = Math.min(raw.length, at + slice);
    try {
      sink.push(raw.subarray(at, end), end === raw.length);
    } catch (err) {
      if (err instanceof InflateError) throw err;
      throw new InflateError(`corrupt deflate data (${(err as Error).message})`);
    }
    at = end;
  }
  if (!ended) throw new InflateError('deflate data ends early');
  if (got !== size) throw new InflateError(`inflates to ${got} bytes, expected ${size}`);
  return out;
}

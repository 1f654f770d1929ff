/** The unpickler's reader: little-endian numbers, lengths checked against the bytes left, GLOBAL lines, longs. */

const MAX_LINE = 512;
const utf8 = new TextDecoder('utf-8');

export class PickleCursor {
  /** offset of the next byte */
  pos: number;
  private readonly view: DataView;
  private readonly n: number;

  constructor(private readonly bytes: Uint8Array, start: number, private readonly fail: (msg: string) => never) {
    this.pos = start;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.n = bytes.byteLength;
  }

  get left(): number {
    return this.n - this.pos;
  }

  need(k: number): void {
    if (k < 0 || this.pos + k > this.n) this.fail(`truncated (needs ${k} more bytes, ${this.n - this.pos} left)`);
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.pos++];
  }

  u16(): number {
    this.need(2);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  i32(): number {
    this.need(4);
    const v = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** a 64-bit length, which must fit in the bytes left */
  u64(): number {
    this.need(8);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    if (v > BigInt(this.n - this.pos)) this.fail(`declared length ${v} exceeds the ${this.n - this.pos} bytes left`);
    return Number(v);
  }

  /** big-endian float64 (BINFLOAT) */
  f64be(): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos, false);
    this.pos += 8;
    return v;
  }

  /** k bytes as a string: ASCII directly (most names and keys), else through `decoder` */
  text(k: number, decoder: TextDecoder): string {
    const b = this.take(k);
    if (k > 32) return decoder.decode(b);
    let s = '';
    for (let i = 0; i < k; i++) {
      if (b[i] >= 0x80) return decoder.decode(b);
      s += String.fromCharCode(b[i]);
    }
    return s;
  }

  /** the next k bytes, as a view */
  take(k: number): Uint8Array {
    this.need(k);
    const b = this.bytes.subarray(this.pos, this.pos + k);
    this.pos += k;
    return b;
  }

  /** a newline-terminated name (GLOBAL's module and name) */
  line(): string {
    const limit = Math.min(this.n, this.pos + MAX_LINE);
    let e = this.pos;
    while (e < limit && this.bytes[e] !== 0x0a) e++;
    if (e >= limit) this.fail('unterminated or overlong GLOBAL name');
    const s = utf8.decode(this.bytes.subarray(this.pos, e));
    this.pos = e + 1;
    return s;
  }
}

/** decodes a little-endian two's complement integer of any width */
export function decodeLong(b: Uint8Array): number | bigint {
  if (b.length === 0) return 0;
  if (b.length <= 6) {
    // exact in a double: no BigInt needed (the common case: Python ints of up to 47 bits)
    let v = 0;
    for (let i = b.length - 1; i >= 0; i--) v = v * 256 + b[i];
    return b[b.length - 1] & 0x80 ? v - 2 ** (8 * b.length) : v;
  }
  if (b.length === 8) {
    const v = new DataView(b.buffer, b.byteOffset, 8).getBigInt64(0, true);
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }
  let hex = '';
  for (let i = b.length - 1; i >= 0; i--) hex += b[i].toString(16).padStart(2, '0');
  let v = BigInt(`0x${hex}`);
  if (b[b.length - 1] & 0x80) v -= 1n << BigInt(8 * b.length);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

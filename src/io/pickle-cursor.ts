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
    return this.fixed(2, (view, at) => view.getUint16(at, true));
  }

  u32(): number {
    return this.fixed(4, (view, at) => view.getUint32(at, true));
  }

  i32(): number {
    return this.fixed(4, (view, at) => view.getInt32(at, true));
  }

  /** a 64-bit length, which must fit in the bytes left */
  u64(): number {
    const v = this.fixed(8, (view, at) => view.getBigUint64(at, true));
    if (v > BigInt(this.left)) this.fail(`declared length ${v} exceeds the ${this.left} bytes left`);
    return Number(v);
  }

  /** big-endian float64 (BINFLOAT) */
  f64be(): number {
    return this.fixed(8, (view, at) => view.getFloat64(at, false));
  }

  /** the unsigned little-endian argument of `width` bytes an opcode starts with (pickletools' uint1 .. uint8) */
  uint(width: 1 | 2 | 4 | 8): number {
    return width === 1 ? this.u8() : width === 2 ? this.u16() : width === 4 ? this.u32() : this.u64();
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

  /** a number of `width` bytes at the cursor, read by `read`, the cursor moved past it */
  private fixed<T>(width: number, read: (view: DataView, at: number) => T): T {
    this.need(width);
    const v = read(this.view, this.pos);
    this.pos += width;
    return v;
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

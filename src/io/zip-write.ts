/**
 * A minimal zip writer in the shape PyTorch's writer produces: stored (uncompressed)
 * entries whose data starts on a 64-byte boundary (padded with an "FB" extra field, as torch
 * does), zip64 records where sizes or offsets need them. Output is a list of chunks that
 * reference the entries' data, so nothing large is copied.
 */
import { crc32 } from './crc32.js';

export interface ZipInput {
  name: string;
  /** the entry's bytes, possibly in several pieces */
  chunks: Uint8Array[];
}

const ALIGN = 64;
const MAX32 = 0xffffffff;

class Bytes {
  private parts: number[] = [];
  u16(v: number): this {
    this.parts.push(v & 0xff, (v >>> 8) & 0xff);
    return this;
  }
  u32(v: number): this {
    return this.u16(v & 0xffff).u16(Math.floor(v / 0x10000) & 0xffff);
  }
  u64(v: number): this {
    return this.u32(v % 0x100000000).u32(Math.floor(v / 0x100000000));
  }
  raw(b: Uint8Array): this {
    for (const x of b) this.parts.push(x);
    return this;
  }
  get length(): number {
    return this.parts.length;
  }
  done(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

/** encodes a zip archive; `forceZip64` writes zip64 fields even for small archives (for tests) */
export function encodeZip(inputs: ZipInput[], opts: { forceZip64?: boolean } = {}): Uint8Array[] {
  const out: Uint8Array[] = [];
  const central = new Bytes();
  let offset = 0;
  for (const input of inputs) {
    const name = new TextEncoder().encode(input.name);
    let size = 0;
    let crc = 0;
    for (const c of input.chunks) {
      size += c.byteLength;
      crc = crc32(c, crc);
    }
    crc >>>= 0;
    const big = opts.forceZip64 || size >= MAX32 || offset >= MAX32;
    const zip64Local = big ? new Bytes().u16(1).u16(16).u64(size).u64(size).done() : new Uint8Array(0);
    let pad = (ALIGN - ((offset + 30 + name.byteLength + zip64Local.byteLength) % ALIGN)) % ALIGN;
    if (pad > 0 && pad < 4) pad += ALIGN;
    const extra = new Bytes().raw(zip64Local);
    if (pad > 0) {
      extra.u16(0x4246).u16(pad - 4); // "FB", as torch's writer pads
      for (let i = 0; i < pad - 4; i++) extra.raw(Uint8Array.of(0x5a));
    }
    const extraBytes = extra.done();
    const version = big ? 45 : 20;
    const local = new Bytes()
      .u32(0x04034b50)
      .u16(version)
      .u16(0)
      .u16(0)
      .u16(0)
      .u16(0x21) // 1980-01-01, as a fixed date keeps files reproducible
      .u32(crc)
      .u32(big ? MAX32 : size)
      .u32(big ? MAX32 : size)
      .u16(name.byteLength)
      .u16(extraBytes.byteLength)
      .raw(name)
      .raw(extraBytes)
      .done();
    out.push(local, ...input.chunks);
    const cextra = big ? new Bytes().u16(1).u16(24).u64(size).u64(size).u64(offset).done() : new Uint8Array(0);
    central
      .u32(0x02014b50)
      .u16(version)
      .u16(version)
      .u16(0)
      .u16(0)
      .u16(0)
      .u16(0x21)
      .u32(crc)
      .u32(big ? MAX32 : size)
      .u32(big ? MAX32 : size)
      .u16(name.byteLength)
      .u16(cextra.byteLength)
      .u16(0)
      .u16(0)
      .u16(0)
      .u32(0)
      .u32(big ? MAX32 : offset)
      .raw(name)
      .raw(cextra);
    offset += local.byteLength + size;
  }
  const cdOffset = offset;
  const cdSize = central.length;
  out.push(central.done());
  const count = inputs.length;
  const big = opts.forceZip64 || cdOffset + cdSize >= MAX32 || count >= 0xffff;
  const tail = new Bytes();
  if (big) {
    const rec = cdOffset + cdSize;
    tail.u32(0x06064b50).u64(44).u16(45).u16(45).u32(0).u32(0).u64(count).u64(count).u64(cdSize).u64(cdOffset);
    tail.u32(0x07064b50).u32(0).u64(rec).u32(1);
  }
  tail
    .u32(0x06054b50)
    .u16(0)
    .u16(0)
    .u16(big ? 0xffff : count)
    .u16(big ? 0xffff : count)
    .u32(big ? MAX32 : cdSize)
    .u32(big ? MAX32 : cdOffset)
    .u16(0);
  out.push(tail.done());
  return out;
}

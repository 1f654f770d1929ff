/**
 * A minimal zip reader for torch's zip checkpoints: central directory (zip64 aware), stored
 * entries returned as views into the buffer, deflated ones inflated into exactly their
 * declared size, charged to a budget before anything is inflated. Every offset and size is
 * checked against the buffer before use; the directory itself is charged to a budget too.
 * Portable (no Node built-ins).
 */
import { CheckpointError, quote } from './errors.js';
import { crc32 } from './crc32.js';
import { inflateExact } from './inflate.js';
import { COST, type Budget } from './read-budget.js';

export interface ZipEntry {
  name: string;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  /** offset of the entry's data (past its local header) */
  dataOffset: number;
}

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_EOCD64 = 0x06064b50;
const SIG_LOCATOR64 = 0x07064b50;

function fail(msg: string): never {
  throw new CheckpointError(`zip: ${msg}`);
}

export function isZip(bytes: Uint8Array): boolean {
  return bytes.byteLength >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

export class ZipReader {
  readonly entries = new Map<string, ZipEntry>();
  private readonly dv: DataView;

  /** `budget` pays for the directory (entries and names) */
  constructor(private readonly bytes: Uint8Array, private readonly budget?: Budget) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.readDirectory();
  }

  private u16(at: number): number {
    if (at < 0 || at + 2 > this.bytes.byteLength) fail(`structure at byte ${at} runs past the end`);
    return this.dv.getUint16(at, true);
  }

  private u32(at: number): number {
    if (at < 0 || at + 4 > this.bytes.byteLength) fail(`structure at byte ${at} runs past the end`);
    return this.dv.getUint32(at, true);
  }

  private u64(at: number): number {
    if (at < 0 || at + 8 > this.bytes.byteLength) fail(`structure at byte ${at} runs past the end`);
    const v = this.dv.getBigUint64(at, true);
    if (v > BigInt(this.bytes.byteLength)) fail(`value ${v} at byte ${at} exceeds the file size`);
    return Number(v);
  }

  private findEocd(): number {
    const n = this.bytes.byteLength;
    const stop = Math.max(0, n - 22 - 0xffff);
    for (let at = n - 22; at >= stop; at--) {
      if (this.dv.getUint32(at, true) === SIG_EOCD) return at;
    }
    fail('no end-of-central-directory record (truncated file?)');
  }

  private readDirectory(): void {
    const n = this.bytes.byteLength;
    if (n < 22) fail('file too short');
    const eocd = this.findEocd();
    let count = this.u16(eocd + 10);
    let cdSize = this.u32(eocd + 12);
    let cdOffset = this.u32(eocd + 16);
    let cdEnd = eocd;
    if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      const loc = eocd - 20;
      if (loc < 0 || this.u32(loc) !== SIG_LOCATOR64) fail('zip64 locator missing');
      const rec = this.u64(loc + 8);
      if (this.u32(rec) !== SIG_EOCD64) fail('zip64 end-of-central-directory record missing');
      count = this.u64(rec + 32);
      cdSize = this.u64(rec + 40);
      cdOffset = this.u64(rec + 48);
      cdEnd = rec;
    }
    if (cdOffset + cdSize > cdEnd) fail(`central directory (${cdSize} bytes at ${cdOffset}) overlaps its end record`);
    if (count * 46 > cdSize) fail(`central directory claims ${count} entries in ${cdSize} bytes`);
    let at = cdOffset;
    for (let i = 0; i < count; i++) {
      if (this.u32(at) !== SIG_CENTRAL) fail(`central directory entry ${i} is corrupt`);
      const e = this.readCentral(at, cdOffset);
      if (this.entries.has(e.entry.name)) fail(`duplicate entry ${quote(e.entry.name)}`);
      this.entries.set(e.entry.name, e.entry);
      at = e.next;
      if (at > cdOffset + cdSize) fail('central directory entries run past its end');
    }
  }

  private readCentral(at: number, dataLimit: number): { entry: ZipEntry; next: number } {
    const flags = this.u16(at + 8);
    const method = this.u16(at + 10);
    const crc = this.u32(at + 16);
    let compressedSize = this.u32(at + 20);
    let size = this.u32(at + 24);
    const nameLen = this.u16(at + 28);
    const extraLen = this.u16(at + 30);
    const commentLen = this.u16(at + 32);
    let local = this.u32(at + 42);
    const nameAt = at + 46;
    if (nameAt + nameLen + extraLen + commentLen > this.bytes.byteLength) fail('central directory entry runs past the end');
    this.budget?.take(COST.zipEntry + 2 * nameLen, 'the zip directory');
    const name = new TextDecoder().decode(this.bytes.subarray(nameAt, nameAt + nameLen));
    if (flags & 1) fail(`entry ${quote(name)} is encrypted`);
    // zip64 extended information: the saturated fields, in order
    for (let x = nameAt + nameLen; x + 4 <= nameAt + nameLen + extraLen; ) {
      const id = this.u16(x);
      const len = this.u16(x + 2);
      if (id === 1) {
        let y = x + 4;
        if (size === 0xffffffff) {
          size = this.u64(y);
          y += 8;
        }
        if (compressedSize === 0xffffffff) {
          compressedSize = this.u64(y);
          y += 8;
        }
        if (local === 0xffffffff) local = this.u64(y);
      }
      x += 4 + len;
    }
    if (this.u32(local) !== SIG_LOCAL) fail(`local header of ${quote(name)} is missing`);
    const dataOffset = local + 30 + this.u16(local + 26) + this.u16(local + 28);
    if (dataOffset + compressedSize > dataLimit) fail(`data of ${quote(name)} (${compressedSize} bytes at ${dataOffset}) runs past the entries area`);
    if (method === 0 && compressedSize !== size) fail(`stored entry ${quote(name)} has sizes ${compressedSize} and ${size}`);
    if (method !== 0 && method !== 8) fail(`entry ${quote(name)} uses unsupported compression method ${method}`);
    return { entry: { name, method, crc, compressedSize, size, dataOffset }, next: nameAt + nameLen + extraLen + commentLen };
  }

  /** an entry's bytes: a view for stored entries, an inflated copy (its declared size charged to `budget` first) otherwise; the CRC is checked */
  read(name: string, budget: Budget): Uint8Array {
    const e = this.entries.get(name);
    if (!e) fail(`no entry ${quote(name)}`);
    const raw = this.bytes.subarray(e.dataOffset, e.dataOffset + e.compressedSize);
    let data = raw;
    if (e.method === 8) {
      budget.take(e.size, `inflating ${quote(name)} (${e.size} bytes)`);
      try {
        data = inflateExact(raw, e.size);
      } catch (err) {
        fail(`cannot inflate ${quote(name)}: ${(err as Error).message}`);
      }
    }
    if (crc32(data) !== e.crc) fail(`CRC mismatch in ${quote(name)} (corrupt file)`);
    return data;
  }
}

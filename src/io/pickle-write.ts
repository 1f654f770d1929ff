/**
 * A small pickler (protocol 2, the opcodes torch.save emits) for the value model of
 * pickle-values.ts: None, bool, int, float, str, list, PyTuple, dicts (PyDict/Map become
 * collections.OrderedDict unless a PyDict says it is a plain dict; plain objects become
 * dicts) and tensors, which the caller writes through `tensor` (persistent ids to storages).
 */
import { isNamedArray, type NamedArray } from './arrays.js';
import { CheckpointError } from './errors.js';
import { PyDict, PyTuple } from './pickle-values.js';

const BATCH = 1000;

export class PickleWriter {
  private buf = new Uint8Array(1024);
  private len = 0;
  private readonly memo = new Map<string, number>();
  private readonly active = new Set<unknown>();

  constructor(private readonly tensor: (w: PickleWriter, a: NamedArray) => void) {
    this.op(0x80).byte(2);
  }

  private ensure(k: number): void {
    if (this.len + k <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + k));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  op(code: number): this {
    return this.byte(code);
  }

  byte(v: number): this {
    this.ensure(1);
    this.buf[this.len++] = v;
    return this;
  }

  private u16(v: number): this {
    return this.byte(v & 0xff).byte(v >>> 8);
  }

  private u32(v: number): this {
    this.ensure(4);
    new DataView(this.buf.buffer).setUint32(this.len, v, true);
    this.len += 4;
    return this;
  }

  private bytes(b: Uint8Array): this {
    this.ensure(b.byteLength);
    this.buf.set(b, this.len);
    this.len += b.byteLength;
    return this;
  }

  mark(): this {
    return this.op(0x28);
  }

  /** GLOBAL, memoized so each name is spelled out once */
  global(module: string, name: string): this {
    const key = `${module}\n${name}`;
    const slot = this.memo.get(key);
    if (slot !== undefined) return this.get(slot);
    this.op(0x63).bytes(new TextEncoder().encode(`${key}\n`));
    return this.put(key);
  }

  private put(key: string): this {
    const slot = this.memo.size;
    this.memo.set(key, slot);
    return slot < 256 ? this.op(0x71).byte(slot) : this.op(0x72).u32(slot);
  }

  private get(slot: number): this {
    return slot < 256 ? this.op(0x68).byte(slot) : this.op(0x6a).u32(slot);
  }

  int(v: number | bigint): this {
    if (typeof v === 'number' && v >= 0 && v < 256) return this.op(0x4b).byte(v);
    if (typeof v === 'number' && v >= 0 && v < 65536) return this.op(0x4d).u16(v);
    if (typeof v === 'number' && v >= -(2 ** 31) && v < 2 ** 31) {
      this.op(0x4a).ensure(4);
      new DataView(this.buf.buffer).setInt32(this.len, v, true);
      this.len += 4;
      return this;
    }
    // LONG1: little-endian two's complement, as short as possible
    let x = BigInt(v);
    const out: number[] = [];
    for (;;) {
      const b = Number(x & 0xffn);
      out.push(b);
      x >>= 8n;
      if ((x === 0n && !(b & 0x80)) || (x === -1n && b & 0x80)) break;
    }
    return this.op(0x8a).byte(out.length).bytes(Uint8Array.from(out));
  }

  float(v: number): this {
    this.op(0x47).ensure(8);
    new DataView(this.buf.buffer).setFloat64(this.len, v, false);
    this.len += 8;
    return this;
  }

  str(s: string): this {
    const b = new TextEncoder().encode(s);
    return this.op(0x58).u32(b.byteLength).bytes(b);
  }

  tuple(items: unknown[]): this {
    if (items.length === 0) return this.op(0x29);
    if (items.length <= 3) {
      for (const x of items) this.value(x);
      return this.op([0x85, 0x86, 0x87][items.length - 1]);
    }
    this.mark();
    for (const x of items) this.value(x);
    return this.op(0x74);
  }

  private dictItems(entries: [unknown, unknown][]): this {
    for (let i = 0; i < entries.length; i += BATCH) {
      this.mark();
      for (const [k, v] of entries.slice(i, i + BATCH)) this.value(k).value(v);
      this.op(0x75);
    }
    return this;
  }

  /** an empty OrderedDict (as torch writes backward hooks) */
  orderedDict(entries: [unknown, unknown][] = []): this {
    this.global('collections', 'OrderedDict').op(0x29).op(0x52);
    return this.dictItems(entries);
  }

  value(v: unknown): this {
    if (v === null || v === undefined) return this.op(0x4e);
    if (typeof v === 'boolean') return this.op(v ? 0x88 : 0x89);
    if (typeof v === 'bigint') return this.int(v);
    if (typeof v === 'number') return Number.isSafeInteger(v) && !Object.is(v, -0) ? this.int(v) : this.float(v);
    if (typeof v === 'string') return this.str(v);
    if (typeof v !== 'object') throw new CheckpointError(`cannot pickle a ${typeof v}`);
    if (isNamedArray(v)) {
      this.tensor(this, v);
      return this;
    }
    if (this.active.has(v)) throw new CheckpointError('cannot pickle a value that contains itself');
    this.active.add(v);
    try {
      if (v instanceof PyTuple) return this.tuple(v.items);
      if (Array.isArray(v)) {
        this.op(0x5d);
        for (let i = 0; i < v.length; i += BATCH) {
          this.mark();
          for (const x of v.slice(i, i + BATCH)) this.value(x);
          this.op(0x65);
        }
        return this;
      }
      if (v instanceof Map) {
        if (v instanceof PyDict && !v.ordered) this.op(0x7d).dictItems([...v.entries()]);
        else this.orderedDict([...v.entries()]);
        if (v instanceof PyDict && v.attrs.size > 0) this.op(0x7d).dictItems([...v.attrs.entries()]).op(0x62);
        return this;
      }
      if (ArrayBuffer.isView(v)) throw new CheckpointError('cannot pickle raw bytes or a bare typed array; wrap arrays as tensors');
      return this.op(0x7d).dictItems(Object.entries(v as Record<string, unknown>));
    } finally {
      this.active.delete(v);
    }
  }

  /** STOP and the finished bytes */
  finish(): Uint8Array {
    this.op(0x2e);
    return this.buf.slice(0, this.len);
  }
}

/**
 * An allow-listed unpickler for what torch.save writes (pickle protocol 2, plus the few
 * protocol 3-4 opcodes newer writers may use). It never imports or executes anything: GLOBAL
 * resolves only names in the given table (everything else is refused by name), REDUCE/NEWOBJ
 * call only the table's functions, BUILD only sets attributes on dicts. It is iterative (no
 * recursion), bounds MARK nesting, and checks every declared length against the bytes left.
 */
import { CheckpointError, quote } from './errors.js';
import { PyDict, PyTuple } from './pickle-values.js';

export interface PyGlobal {
  readonly qualname: string;
  /** what REDUCE and NEWOBJ do with this global; absent: it cannot be called */
  call?: (args: unknown[]) => unknown;
}

export interface UnpickleOptions {
  /** allowed globals by "module.name" */
  globals: ReadonlyMap<string, PyGlobal>;
  /** BINPERSID handler; absent: persistent ids are refused */
  persistentLoad?: (pid: unknown) => unknown;
  /** deepest MARK nesting accepted (default 1000) */
  maxDepth?: number;
}

export interface UnpickleResult {
  value: unknown;
  /** offset just past the STOP opcode */
  end: number;
}

const MAX_LONG_BYTES = 4096;
const MAX_LINE = 512;
const utf8 = new TextDecoder('utf-8');
const latin1 = new TextDecoder('latin1');

export function refusalMessage(qualname: string): string {
  return `refusing to load ${quote(qualname, 120)}: only tensors and plain containers are allowed`;
}

function typeName(v: unknown): string {
  if (v === null) return 'None';
  if (v instanceof PyDict) return v.ordered ? 'OrderedDict' : 'dict';
  if (v instanceof PyTuple) return 'tuple';
  if (Array.isArray(v)) return 'list';
  if (v instanceof Uint8Array) return 'bytes';
  if (typeof v === 'object' && v !== null && 'qualname' in v) return quote((v as PyGlobal).qualname);
  if (typeof v === 'object' && v !== null && 'dtype' in v && 'shape' in v) return 'tensor';
  return typeof v;
}

/** decodes a little-endian two's complement integer of any width */
function decodeLong(b: Uint8Array): number | bigint {
  if (b.length === 0) return 0;
  let hex = '';
  for (let i = b.length - 1; i >= 0; i--) hex += b[i].toString(16).padStart(2, '0');
  let v = BigInt(`0x${hex}`);
  if (b[b.length - 1] & 0x80) v -= 1n << BigInt(8 * b.length);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** unpickles one object from `bytes` starting at `start` */
export function unpickle(bytes: Uint8Array, start: number, opts: UnpickleOptions): UnpickleResult {
  const maxDepth = opts.maxDepth ?? 1000;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.byteLength;
  let pos = start;
  let opPos = start;
  let stack: unknown[] = [];
  const metastack: unknown[][] = [];
  const memo = new Map<number, unknown>();

  const fail: (msg: string) => never = (msg) => {
    throw new CheckpointError(`pickle byte ${opPos}: ${msg}`);
  };
  const need = (k: number): void => {
    if (k < 0 || pos + k > n) fail(`truncated (needs ${k} more bytes, ${n - pos} left)`);
  };
  const u8 = (): number => {
    need(1);
    return bytes[pos++];
  };
  const u16 = (): number => {
    need(2);
    const v = view.getUint16(pos, true);
    pos += 2;
    return v;
  };
  const u32 = (): number => {
    need(4);
    const v = view.getUint32(pos, true);
    pos += 4;
    return v;
  };
  const i32 = (): number => {
    need(4);
    const v = view.getInt32(pos, true);
    pos += 4;
    return v;
  };
  const u64 = (): number => {
    need(8);
    const v = view.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(n)) fail(`declared length ${v} exceeds the ${n - pos} bytes left`);
    return Number(v);
  };
  const take = (k: number): Uint8Array => {
    need(k);
    const b = bytes.subarray(pos, pos + k);
    pos += k;
    return b;
  };
  const line = (): string => {
    const limit = Math.min(n, pos + MAX_LINE);
    let e = pos;
    while (e < limit && bytes[e] !== 0x0a) e++;
    if (e >= limit) fail('unterminated or overlong GLOBAL name');
    const s = utf8.decode(bytes.subarray(pos, e));
    pos = e + 1;
    return s;
  };
  const pop = (): unknown => {
    if (stack.length === 0) fail('stack underflow');
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length === 0) fail('stack underflow');
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const items = stack;
    const prev = metastack.pop();
    if (prev === undefined) fail('no MARK to pop to');
    stack = prev as unknown[];
    return items;
  };
  const put = (i: number): void => {
    memo.set(i, top());
  };
  const get = (i: number): void => {
    if (!memo.has(i)) fail(`memo key ${i} was never stored`);
    stack.push(memo.get(i));
  };
  const resolve = (module: string, name: string): void => {
    const qualname = `${module}.${name}`;
    const g = opts.globals.get(qualname);
    if (!g) fail(refusalMessage(qualname));
    stack.push(g);
  };
  const callable = (f: unknown): PyGlobal => {
    const g = f as PyGlobal | null;
    if (typeof g !== 'object' || g === null || typeof g.qualname !== 'string') fail(`cannot call a ${typeName(f)}`);
    if (!g.call) fail(`refusing to call ${quote(g.qualname)}: it is only allowed as a type tag`);
    return g;
  };
  const argsOf = (a: unknown): unknown[] => {
    if (!(a instanceof PyTuple)) fail(`call arguments are a ${typeName(a)}, not a tuple`);
    return (a as PyTuple).items;
  };
  const setItems = (d: unknown, items: unknown[]): void => {
    if (!(d instanceof PyDict)) fail(`SETITEM(S) on a ${typeName(d)}`);
    if (items.length % 2) fail('SETITEMS with an odd number of items');
    for (let i = 0; i < items.length; i += 2) (d as PyDict).set(items[i], items[i + 1]);
  };
  const appendItems = (l: unknown, items: unknown[]): void => {
    if (!Array.isArray(l)) fail(`APPEND(S) on a ${typeName(l)}`);
    for (const x of items) (l as unknown[]).push(x);
  };
  const build = (obj: unknown, state: unknown): void => {
    let dictState = state;
    if (state instanceof PyTuple && state.items.length === 2) {
      const [a, b] = state.items;
      if (b !== null) fail(`refusing BUILD with slot state on a ${typeName(obj)}`);
      dictState = a;
    }
    if (!(obj instanceof PyDict)) fail(`refusing BUILD on a ${typeName(obj)}: only tensors and plain containers are allowed`);
    if (dictState === null) return;
    if (!(dictState instanceof PyDict)) fail(`refusing BUILD with a ${typeName(dictState)} state`);
    for (const [k, v] of dictState as PyDict) {
      if (typeof k !== 'string') fail('BUILD state has a non-string attribute name');
      (obj as PyDict).attrs.set(k as string, v);
    }
  };

  for (;;) {
    opPos = pos;
    if (pos >= n) fail('truncated: no STOP opcode');
    const op = bytes[pos++];
    switch (op) {
      case 0x80: // PROTO
        if (u8() > 5) fail('unsupported pickle protocol');
        break;
      case 0x95: // FRAME (protocol 4): frames are just a read-ahead hint
        u64();
        break;
      case 0x2e: // STOP
        return { value: pop(), end: pos };
      case 0x28: // MARK
        if (metastack.length >= maxDepth) fail(`nesting deeper than ${maxDepth} levels`);
        metastack.push(stack);
        stack = [];
        break;
      case 0x30: // POP
        pop();
        break;
      case 0x31: // POP_MARK
        popMark();
        break;
      case 0x32: // DUP
        stack.push(top());
        break;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88: // NEWTRUE
        stack.push(true);
        break;
      case 0x89: // NEWFALSE
        stack.push(false);
        break;
      case 0x4b: // BININT1
        stack.push(u8());
        break;
      case 0x4d: // BININT2
        stack.push(u16());
        break;
      case 0x4a: // BININT
        stack.push(i32());
        break;
      case 0x8a: // LONG1
        stack.push(decodeLong(take(u8())));
        break;
      case 0x8b: { // LONG4
        const k = i32();
        if (k < 0 || k > MAX_LONG_BYTES) fail(`LONG4 of ${k} bytes`);
        stack.push(decodeLong(take(k)));
        break;
      }
      case 0x47: // BINFLOAT (big-endian)
        need(8);
        stack.push(view.getFloat64(pos, false));
        pos += 8;
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(utf8.decode(take(u8())));
        break;
      case 0x58: // BINUNICODE
        stack.push(utf8.decode(take(u32())));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(utf8.decode(take(u64())));
        break;
      case 0x55: // SHORT_BINSTRING (Python 2 str)
        stack.push(latin1.decode(take(u8())));
        break;
      case 0x54: { // BINSTRING
        const k = i32();
        if (k < 0) fail('negative BINSTRING length');
        stack.push(latin1.decode(take(k)));
        break;
      }
      case 0x43: // SHORT_BINBYTES
        stack.push(take(u8()).slice());
        break;
      case 0x42: // BINBYTES
        stack.push(take(u32()).slice());
        break;
      case 0x8e: // BINBYTES8
        stack.push(take(u64()).slice());
        break;
      case 0x7d: // EMPTY_DICT
        stack.push(new PyDict());
        break;
      case 0x64: { // DICT
        const d = new PyDict();
        setItems(d, popMark());
        stack.push(d);
        break;
      }
      case 0x73: { // SETITEM
        const v = pop();
        const k = pop();
        setItems(top(), [k, v]);
        break;
      }
      case 0x75: { // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x6c: { // LIST
        const items = popMark();
        stack.push(items);
        break;
      }
      case 0x61: { // APPEND
        const v = pop();
        appendItems(top(), [v]);
        break;
      }
      case 0x65: { // APPENDS
        const items = popMark();
        appendItems(top(), items);
        break;
      }
      case 0x29: // EMPTY_TUPLE
        stack.push(new PyTuple([]));
        break;
      case 0x74: { // TUPLE
        const items = popMark(); // before touching `stack`: popMark replaces it
        stack.push(new PyTuple(items));
        break;
      }
      case 0x85: // TUPLE1
        stack.push(new PyTuple([pop()]));
        break;
      case 0x86: { // TUPLE2
        const b = pop();
        const a = pop();
        stack.push(new PyTuple([a, b]));
        break;
      }
      case 0x87: { // TUPLE3
        const c = pop();
        const b = pop();
        const a = pop();
        stack.push(new PyTuple([a, b, c]));
        break;
      }
      case 0x71: // BINPUT
        put(u8());
        break;
      case 0x72: // LONG_BINPUT
        put(u32());
        break;
      case 0x94: // MEMOIZE
        put(memo.size);
        break;
      case 0x68: // BINGET
        get(u8());
        break;
      case 0x6a: // LONG_BINGET
        get(u32());
        break;
      case 0x63: { // GLOBAL
        const module = line();
        resolve(module, line());
        break;
      }
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two strings');
        resolve(module as string, name as string);
        break;
      }
      case 0x52: { // REDUCE
        const args = argsOf(pop());
        const f = callable(pop());
        stack.push(callChecked(f, args, opPos));
        break;
      }
      case 0x81: { // NEWOBJ
        const args = argsOf(pop());
        const cls = callable(pop());
        stack.push(callChecked(cls, args, opPos));
        break;
      }
      case 0x62: { // BUILD
        const state = pop();
        build(top(), state);
        break;
      }
      case 0x51: { // BINPERSID
        const pid = pop();
        if (!opts.persistentLoad) fail('refusing a persistent id outside a torch checkpoint');
        stack.push(callChecked({ qualname: 'persistent id', call: () => opts.persistentLoad!(pid) }, [], opPos));
        break;
      }
      default:
        fail(`unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')}`);
    }
  }
}

function callChecked(f: PyGlobal, args: unknown[], at: number): unknown {
  try {
    return f.call!(args);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new CheckpointError(`pickle byte ${at}: ${f.qualname}: ${msg}`, { cause: err });
  }
}

/**
 * An allow-listed unpickler for what torch.save writes (pickle protocol 2, plus the few
 * protocol 3-4 opcodes newer writers may use). It never imports or executes anything: GLOBAL
 * resolves only names in the given table (everything else is refused by name), REDUCE/NEWOBJ
 * call only the table's functions, BUILD only sets attributes on dicts. It is iterative (no
 * recursion), checks every declared length against the bytes left, bounds MARK nesting and the
 * nesting of what it builds (pickle-nesting.ts), and charges every value, memo entry and stack
 * slot it makes to a memory budget (read-budget.ts), so no file can make it allocate or run
 * beyond what a real checkpoint of that size needs.
 */
import { CheckpointError, quote } from './errors.js';
import { PyDict, PyTuple } from './pickle-values.js';
import { Nesting } from './pickle-nesting.js';
import { PickleCursor, decodeLong } from './pickle-cursor.js';
import { COST, type Budget, readBudget } from './read-budget.js';

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
  /** deepest MARK nesting and deepest nesting of containers accepted (default 1000) */
  maxDepth?: number;
  /** what the values may cost (default: the budget of a file as long as `bytes`) */
  budget?: Budget;
}

export interface UnpickleResult {
  value: unknown;
  /** offset just past the STOP opcode */
  end: number;
}

const MAX_LONG_BYTES = 4096;
/** the opcodes whose argument is an unsigned number (a value, a length, a memo index), by its width in bytes */
const ARG_WIDTH: Record<number, 1 | 2 | 4 | 8> = {
  0x4b: 1, 0x4d: 2, // BININT1, BININT2
  0x8c: 1, 0x58: 4, 0x8d: 8, // SHORT_BINUNICODE, BINUNICODE, BINUNICODE8
  0x43: 1, 0x42: 4, 0x8e: 8, // SHORT_BINBYTES, BINBYTES, BINBYTES8
  0x71: 1, 0x72: 4, 0x68: 1, 0x6a: 4, // BINPUT, LONG_BINPUT, BINGET, LONG_BINGET
};
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

/** unpickles one object from `bytes` starting at `start` */
export function unpickle(bytes: Uint8Array, start: number, opts: UnpickleOptions): UnpickleResult {
  const maxDepth = opts.maxDepth ?? 1000;
  const budget = opts.budget ?? readBudget(bytes.byteLength).meta;
  let opPos = start;
  let stack: unknown[] = [];
  const metastack: unknown[][] = [];
  const memo = new Map<number, unknown>();

  const fail: (msg: string) => never = (msg) => {
    throw new CheckpointError(`pickle byte ${opPos}: ${msg}`);
  };
  const nesting = new Nesting(maxDepth, fail);
  const charge = (cost: number): void => budget.take(cost, 'the pickle');
  const cur = new PickleCursor(bytes, start, fail);
  /** a decoded string: up to two bytes per character */
  const text = (decoder: TextDecoder, k: number): string => {
    cur.need(k);
    charge(COST.scalar + 2 * k);
    return cur.text(k, decoder);
  };
  /** every value pushed costs a stack slot, plus what the value itself costs */
  const push = (v: unknown, cost = 0): void => {
    charge(COST.slot + cost);
    stack.push(v);
  };
  const pop = (): unknown => {
    if (stack.length === 0) fail('stack underflow');
    return stack.pop();
  };
  /** the last `k` values, in order */
  const popN = (k: number): unknown[] => {
    if (stack.length < k) fail('stack underflow');
    return stack.splice(stack.length - k, k);
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
    charge(COST.entry);
    memo.set(i, top());
  };
  const get = (i: number): void => {
    if (!memo.has(i)) fail(`memo key ${i} was never stored`);
    push(memo.get(i));
  };
  const resolve = (module: string, name: string): void => {
    const qualname = `${module}.${name}`;
    const g = opts.globals.get(qualname);
    if (!g) fail(refusalMessage(qualname));
    push(g);
  };
  const callable = (f: unknown): PyGlobal => {
    const g = f as PyGlobal | null;
    if (typeof g !== 'object' || g === null || typeof g.qualname !== 'string') fail(`cannot call a ${typeName(f)}`);
    if (!g.call) fail(`refusing to call ${quote(g.qualname)}: it is only allowed as a type tag`);
    return g;
  };
  const call = (f: PyGlobal, a: unknown): void => {
    if (!(a instanceof PyTuple)) fail(`call arguments are a ${typeName(a)}, not a tuple`);
    const args = a as PyTuple;
    // the allowed calls make a dict from a list of pairs (OrderedDict) or a tensor
    const result = callChecked(f, args.items, opPos);
    charge(result instanceof PyDict ? COST.dict + COST.entry * result.size : COST.tensor);
    nesting.madeByCall(result, args);
    push(result);
  };
  const tuple = (items: unknown[]): PyTuple => {
    charge(COST.tuple);
    return nesting.made(new PyTuple(items), items);
  };
  const setItems = (d: unknown, items: unknown[]): void => {
    if (!(d instanceof PyDict)) fail(`SETITEM(S) on a ${typeName(d)}`);
    if (items.length % 2) fail('SETITEMS with an odd number of items');
    charge(COST.entry * (items.length / 2));
    nesting.add(d as PyDict, items);
    for (let i = 0; i < items.length; i += 2) (d as PyDict).set(items[i], items[i + 1]);
  };
  const appendItems = (l: unknown, items: unknown[]): void => {
    if (!Array.isArray(l)) fail(`APPEND(S) on a ${typeName(l)}`);
    charge(COST.slot * items.length);
    nesting.add(l as unknown[], items);
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
    const attrs = [...(dictState as PyDict).values()];
    charge(COST.entry * attrs.length);
    nesting.add(obj as PyDict, attrs);
    for (const [k, v] of dictState as PyDict) {
      if (typeof k !== 'string') fail('BUILD state has a non-string attribute name');
      (obj as PyDict).attrs.set(k as string, v);
    }
  };

  for (;;) {
    opPos = cur.pos;
    if (cur.left <= 0) fail('truncated: no STOP opcode');
    const op = cur.u8();
    switch (op) {
      case 0x80: // PROTO
        if (cur.u8() > 5) fail('unsupported pickle protocol');
        break;
      case 0x95: // FRAME (protocol 4): frames are just a read-ahead hint
        cur.u64();
        break;
      case 0x2e: // STOP
        return { value: pop(), end: cur.pos };
      case 0x28: // MARK
        if (metastack.length >= maxDepth) fail(`nesting deeper than ${maxDepth} levels`);
        charge(COST.slot + COST.list);
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
        push(top());
        break;
      case 0x4e: // NONE
        push(null);
        break;
      case 0x88: // NEWTRUE
        push(true);
        break;
      case 0x89: // NEWFALSE
        push(false);
        break;
      case 0x4b: // BININT1
      case 0x4d: // BININT2
        push(cur.uint(ARG_WIDTH[op]));
        break;
      case 0x4a: // BININT
        push(cur.i32(), COST.scalar);
        break;
      case 0x8a: { // LONG1
        const k = cur.u8();
        push(decodeLong(cur.take(k)), COST.scalar + k);
        break;
      }
      case 0x8b: { // LONG4
        const k = cur.i32();
        if (k < 0 || k > MAX_LONG_BYTES) fail(`LONG4 of ${k} bytes`);
        push(decodeLong(cur.take(k)), COST.scalar + k);
        break;
      }
      case 0x47: // BINFLOAT (big-endian)
        push(cur.f64be(), COST.scalar);
        break;
      case 0x8c: // SHORT_BINUNICODE
      case 0x58: // BINUNICODE
      case 0x8d: // BINUNICODE8
        push(text(utf8, cur.uint(ARG_WIDTH[op])));
        break;
      case 0x55: // SHORT_BINSTRING (Python 2 str)
        push(text(latin1, cur.u8()));
        break;
      case 0x54: { // BINSTRING
        const k = cur.i32();
        if (k < 0) fail('negative BINSTRING length');
        push(text(latin1, k));
        break;
      }
      case 0x43: // SHORT_BINBYTES
      case 0x42: // BINBYTES
      case 0x8e: { // BINBYTES8
        const b = cur.take(cur.uint(ARG_WIDTH[op]));
        push(b.slice(), COST.tensor + b.length);
        break;
      }
      case 0x7d: // EMPTY_DICT
        push(new PyDict(), COST.dict);
        break;
      case 0x64: { // DICT
        const d = new PyDict();
        charge(COST.dict);
        setItems(d, popMark());
        push(d);
        break;
      }
      case 0x73: // SETITEM: one key and value
      case 0x75: { // SETITEMS: those up to the MARK
        const items = op === 0x73 ? popN(2) : popMark(); // before `top`: popMark replaces the stack
        setItems(top(), items);
        break;
      }
      case 0x5d: // EMPTY_LIST
        push([], COST.list);
        break;
      case 0x6c: { // LIST: the MARK's array (already paid for) becomes the list
        const items = popMark();
        push(nesting.made(items, items));
        break;
      }
      case 0x61: // APPEND: one value
      case 0x65: { // APPENDS: those up to the MARK
        const items = op === 0x61 ? popN(1) : popMark();
        appendItems(top(), items);
        break;
      }
      case 0x29: // EMPTY_TUPLE
        push(tuple([]));
        break;
      case 0x74: { // TUPLE
        const items = popMark(); // before touching `stack`: popMark replaces it
        push(tuple(items));
        break;
      }
      case 0x85: // TUPLE1
      case 0x86: // TUPLE2
      case 0x87: { // TUPLE3
        const k = op - 0x84;
        push(tuple(popN(k)), k * COST.slot);
        break;
      }
      case 0x71: // BINPUT
      case 0x72: // LONG_BINPUT
      case 0x94: // MEMOIZE: at the next free index
        put(op === 0x94 ? memo.size : cur.uint(ARG_WIDTH[op]));
        break;
      case 0x68: // BINGET
      case 0x6a: // LONG_BINGET
        get(cur.uint(ARG_WIDTH[op]));
        break;
      case 0x63: { // GLOBAL
        const module = cur.line();
        resolve(module, cur.line());
        break;
      }
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const module = pop();
        if (typeof module !== 'string' || typeof name !== 'string') fail('STACK_GLOBAL needs two strings');
        resolve(module as string, name as string);
        break;
      }
      case 0x52: // REDUCE
      case 0x81: { // NEWOBJ
        const args = pop();
        call(callable(pop()), args);
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
        push(callChecked({ qualname: 'persistent id', call: () => opts.persistentLoad!(pid) }, [], opPos), COST.storage);
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

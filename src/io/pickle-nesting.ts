/**
 * Nesting depth of what an unpickler builds, tracked exactly as it is built (no walk after):
 * a container's depth is fixed when it is nested into another, because a nested list or dict
 * may not be changed afterwards (the pickler finishes a container before it uses it, so real
 * files never do; refusing it also makes reference cycles impossible). Depth 0 is a scalar,
 * 1 a container of scalars. Only containers deeper than 1 and nested ones are recorded.
 */
import { PyDict, PyTuple } from './pickle-values.js';

export class Nesting {
  private readonly depths = new Map<object, number>();
  private readonly nested = new Set<object>();

  constructor(readonly maxDepth: number, private readonly fail: (msg: string) => never) {}

  /** depth of a value: 0 for scalars (and tensors, storages, globals), >= 1 for containers */
  depthOf(v: unknown): number {
    if (typeof v !== 'object' || v === null || !(Array.isArray(v) || v instanceof PyTuple || v instanceof PyDict)) return 0;
    return this.depths.get(v) ?? 1;
  }

  /** records a new container holding `items` (a dict: its keys and values), returns it */
  made<T extends object>(container: T, items: readonly unknown[]): T {
    let d = 0;
    for (const x of items) {
      d = Math.max(d, this.depthOf(x));
      this.seal(x);
    }
    this.setDepth(container, d + 1);
    return container;
  }

  /** `items` go into the existing container `c` (APPEND, SETITEM, BUILD) */
  add(c: object, items: readonly unknown[]): void {
    if (this.nested.has(c)) this.fail('changes a container after nesting it (refusing: no pickler writes this)');
    let d = this.depthOf(c) - 1;
    for (const x of items) {
      if (x === c) this.fail('puts a container into itself (refusing reference cycles)');
      d = Math.max(d, this.depthOf(x));
      this.seal(x);
    }
    this.setDepth(c, d + 1);
  }

  /** a value made by a call (REDUCE, NEWOBJ) can hold at most what its arguments held */
  madeByCall(result: unknown, args: PyTuple): void {
    if (typeof result === 'object' && result !== null) {
      const d = this.depthOf(args);
      if (this.depthOf(result) > 0) this.setDepth(result, d);
    }
  }

  private seal(x: unknown): void {
    if (typeof x === 'object' && x !== null && (Array.isArray(x) || x instanceof PyDict)) this.nested.add(x);
  }

  private setDepth(c: object, d: number): void {
    if (d > this.maxDepth) this.fail(`nesting deeper than ${this.maxDepth} levels`);
    if (d > 1) this.depths.set(c, d);
  }
}

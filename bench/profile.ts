/**
 * Where the time goes: wraps every backend kernel with a timer and runs each workload of the
 * benchmark once (after a warm-up); prints per-kernel totals and the rest (JS-side work).
 *   node --import tsx bench/profile.ts MODEL_DIR [infer,pgd,train]
 * PROFILE_BY_SHAPE=1 splits conv and gemm totals by layer shape.
 * MODEL_DIR comes from `hire-snn bench --export DIR`.
 */
import { getBackend, setBackend, type Backend, type ConvShape } from '../src/kernels/index.js';
import { loadBenchSetup } from '../src/perf/setup.js';
import { runBench, WARMUP_RUNS, type Workload } from '../src/perf/measure.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: profile.ts MODEL_DIR [workloads]');
const workloads = (process.argv[3] ?? 'infer,pgd,train').split(',') as Workload[];

const byShape = process.env.PROFILE_BY_SHAPE === '1';
function shapeKey(name: string, args: unknown[]): string {
  const s = args.find((a): a is ConvShape => typeof a === 'object' && a !== null && 'cIn' in a);
  if (s) return `${name} ${s.cIn}->${s.cOut}@${s.h}`;
  if (name === 'gemm') return `gemm ${String(args[0])[0]}${String(args[1])[0]} ${String(args[2])}x${String(args[3])}x${String(args[4])}`;
  return name;
}

const inner = getBackend();
const totals = new Map<string, { ms: number; calls: number }>();
const proxy = new Proxy(inner, {
  get(target, prop, receiver) {
    const v = Reflect.get(target, prop, receiver) as unknown;
    if (typeof v !== 'function' || prop === 'info') return typeof v === 'function' ? v.bind(target) : v;
    return (...args: unknown[]) => {
      const t0 = performance.now();
      const r = (v as (...a: unknown[]) => unknown).apply(target, args);
      const name = byShape ? shapeKey(String(prop), args) : String(prop);
      const e = totals.get(name) ?? { ms: 0, calls: 0 };
      e.ms += performance.now() - t0;
      e.calls++;
      totals.set(name, e);
      return r;
    };
  },
}) as Backend;
setBackend(proxy);

const setup = loadBenchSetup(dir);
for (const w of workloads) {
  runBench(setup, [w], 0); // warm-up (primitive creation)
  totals.clear();
  const t0 = performance.now();
  runBench(setup, [w], 1);
  const all = performance.now() - t0;
  // runBench runs the workload WARMUP_RUNS + 1 times plus the spike-rate forward
  console.log(`\n${w}: ${all.toFixed(0)} ms for the spike-rate forward + ${WARMUP_RUNS + 1} runs`);
  let kernels = 0;
  for (const [k, v] of [...totals].sort((a, b) => b[1].ms - a[1].ms)) {
    kernels += v.ms;
    console.log(`  ${k.padEnd(40)} ${v.ms.toFixed(0).padStart(7)} ms  ${String(v.calls).padStart(5)} calls`);
  }
  console.log(`  ${'(outside kernels)'.padEnd(40)} ${(all - kernels).toFixed(0).padStart(7)} ms`);
}

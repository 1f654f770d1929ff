/**
 * Loader for the native backend: an N-API addon (build/Release/hire_snn.node, built by
 * scripts/build-native.mjs at install time) over oneDNN with OpenMP threads.
 * Loading never throws: when the addon is missing or broken the caller gets a reason.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { packageRoot } from '../package.js';
import { KERNEL_NAMES, type Backend, type BackendInfo, type Kernels } from './backend.js';

export type ConvLayoutMode = 'plain' | 'blocked' | 'auto';

/**
 * The addon's exports (native/addon.cc): every kernel under its Backend name with the Backend's
 * arguments (the addon checks them: lengths, shapes, the surrogate), and these controls.
 */
export interface NativeAddon extends Kernels {
  info(): {
    dnnlVersion: string; dnnlHash: string; threads: number; procs: number; convLayout: ConvLayoutMode;
    /** oneDNN's effective ISA, and the addon's own loops' (avx512 | avx2 | baseline; HIRE_SNN_ISA caps both) */
    isa: string; kernelIsa: string;
    /** glibc malloc serves big buffers from the heap (native/addon.cc; HIRE_SNN_MALLOC_TUNING=0 disables) */
    mallocTuned: boolean;
  };
  cacheStats(): { hits: number; misses: number; entries: number; scratchBytes: number };
  clearCaches(): void;
  /**
   * Conv operand layouts: 'plain' runs oneDNN on the NCHW buffers directly, 'blocked' lets
   * oneDNN pick blocked layouts and reorders in and out, 'auto' (default) picks per primitive.
   * Sets the mode when given one; returns the current mode. Env: HIRE_SNN_CONV_LAYOUT.
   */
  convLayout(layout?: ConvLayoutMode): ConvLayoutMode;
}

const CONTROLS = ['info', 'cacheStats', 'clearCaches', 'convLayout'] as const satisfies readonly (keyof NativeAddon)[];

/** the native backend: the addon's kernels as they are, its controls and where it was loaded from */
export interface NativeBackend extends Backend {
  readonly name: 'native';
  readonly addon: NativeAddon;
  readonly addonPath: string;
}

function nativeBackend(addon: NativeAddon, addonPath: string): NativeBackend {
  const kernels = Object.fromEntries(KERNEL_NAMES.map((k) => [k, addon[k]])) as unknown as Kernels;
  const info = (): BackendInfo => {
    const i = addon.info();
    return {
      name: 'native',
      threads: i.threads,
      details: {
        oneDNN: i.dnnlVersion,
        isa: i.kernelIsa,
        oneDNNIsa: i.isa,
        ompThreads: String(i.threads),
        cpus: String(i.procs),
        convLayout: i.convLayout,
        mallocTuned: String(i.mallocTuned),
        addon: addonPath,
      },
    };
  };
  return { ...kernels, name: 'native', info, addon, addonPath };
}

/** every function the addon must export: the kernels and the controls */
export const ADDON_EXPORTS: readonly string[] = [...KERNEL_NAMES, ...CONTROLS];

let cached: { backend?: NativeBackend; reason?: string } | undefined;

function load(): { backend?: NativeBackend; reason?: string } {
  const root = packageRoot();
  if (!root) return { reason: 'hire-snn package root not found' };
  const file = path.join(root, 'build', 'Release', 'hire_snn.node');
  if (!existsSync(file)) return { reason: 'not built (npm rebuild hire-snn after apt-get install libdnnl-dev)' };
  try {
    const require = createRequire(import.meta.url);
    const addon = require(file) as Partial<NativeAddon>;
    const missing = ADDON_EXPORTS.filter((k) => typeof (addon as Record<string, unknown>)[k] !== 'function');
    if (missing.length > 0) return { reason: `${file} is stale (missing ${missing.join(', ')}); rebuild it` };
    const backend = nativeBackend(addon as NativeAddon, file);
    backend.info(); // touches oneDNN once so a broken library shows up here
    return { backend };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    return { reason: `cannot load ${file}: ${msg.split('\n')[0]}` };
  }
}

export function loadNativeBackend(): { backend?: NativeBackend; reason?: string } {
  cached ??= load();
  return cached;
}

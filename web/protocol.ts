/** The messages between the explorer page (app.ts) and its worker (worker.ts). */
import type { ExplorerAttack } from '../src/explore/run.js';
import type { MembraneTrace } from '../src/explore/traces.js';
import type { ExplorerTiming } from '../src/explore/timing.js';

export type AttackChoice = 'none' | ExplorerAttack;

/** explore.json, written by `hire-snn explore` (src/explore/server.ts) */
export interface ExploreConfig {
  model: { name: string; url: string; arch?: string; hidden?: number[] } | null;
}

/** an image of the set by index, or the user's own (bytes [C, H, W], already at the model's size) */
export type ImageChoice = { kind: 'set'; index: number } | { kind: 'own'; name: string; pixels: Uint8Array };

export type Request =
  /** the model served by `hire-snn explore` (a URL) or a file the user gave (its bytes) */
  | { type: 'model'; name: string; url?: string; bytes?: ArrayBuffer; arch?: string; hidden?: number[] }
  | { type: 'run'; id: number; image: ImageChoice; attack: AttackChoice; epsilon: number; steps?: number; seed: number }
  /** `trace`: position of the layer in the layer list */
  | { type: 'membrane'; trace: number; neuron: number }
  | { type: 'time'; image: number; runs: number };

export interface ModelInfo {
  name: string;
  description: string;
  format: string;
  timesteps: number;
  layers: { name: string; neurons: number }[];
}

export interface LayerView {
  name: string;
  shape: number[];
  neurons: number;
  steps: number;
  /** per neuron, share of the steps it fired at */
  rates: Float32Array;
  /** 0/1 [T, neurons] */
  spikes: Uint8Array;
}

export interface View {
  logits: number[];
  probabilities: number[];
  prediction: number;
  layers: LayerView[];
  energy: { snnPj: number; annPj: number; ops: { name: string; pj: number }[] };
}

export interface RunResult {
  id: number;
  label: number | null;
  protocol: string;
  passes: number;
  /** ms */
  cleanMs: number;
  attackMs: number;
  /** the image shown, [C, H, W] in [0,1] */
  x01: Float32Array;
  clean: View;
  attacked?: View & { x01: Float32Array };
}

export type Reply =
  | { type: 'model'; info: ModelInfo }
  | { type: 'progress'; id: number; passes: number; expected: number }
  | { type: 'result'; result: RunResult }
  | { type: 'membrane'; trace: number; neuron: number; name: string; clean: MembraneTrace; attacked?: MembraneTrace }
  | { type: 'timing'; timing: ExplorerTiming & { model: string; timesteps: number } }
  /** `during`: what failed; the worker keeps its previous model and result */
  | { type: 'error'; during: Request['type'] | 'images'; message: string };

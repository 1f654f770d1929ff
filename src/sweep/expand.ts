/**
 * Grid -> cells. A stage's cells are the cells of the stages it names, joined on the
 * coordinates they share (a reference's `where` fixes some of the named stage's
 * coordinates), times the product of its own axes. Each cell's config is validated with the
 * command's schema, hashed (references count by the id of the cell they name) and placed on
 * a dependency level: 0 without dependencies, else one more than its deepest dependency.
 */
import { z } from 'zod';
import { COMMANDS, camel, type CommandKind } from './command-schemas.js';
import type { EvalOptions } from '../eval/options.js';
import { GridError, type Grid, type Stage } from './grid.js';
import { canonicalJson, cellId } from './hash.js';
import type { TrainConfig } from '../train/config.js';

export type CellConfig = TrainConfig | EvalOptions;

export interface Cell {
  id: string;
  stage: string;
  kind: CommandKind;
  /** axis -> value: the coordinates inherited through references first, then the stage's own */
  coords: Record<string, unknown>;
  /** the full config (defaults filled in); a model option naming a cell holds `@cell:<id>` */
  config: CellConfig;
  deps: { option: string; cell: string }[];
  level: number;
}

export interface Plan {
  grid: Grid;
  /** in dependency order: every cell comes after the cells it depends on */
  cells: Cell[];
}

export const CELL_REF = '@cell:';

/** stages in dependency order; a cycle is one clear line naming it */
function stageOrder(grid: Grid): Stage[] {
  const byName = new Map(grid.stages.map((s) => [s.name, s]));
  const order: Stage[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (s: Stage, trail: string[]): void => {
    if (state.get(s.name) === 'done') return;
    if (state.get(s.name) === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(s.name)), s.name];
      throw new GridError(`${grid.file}: cyclic dependency: ${cycle.join(' -> ')}`);
    }
    state.set(s.name, 'visiting');
    for (const r of s.refs) visit(byName.get(r.stage)!, [...trail, s.name]);
    state.set(s.name, 'done');
    order.push(s);
  };
  for (const s of grid.stages) visit(s, []);
  return order;
}

const same = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);

export function describeCoords(coords: Record<string, unknown>): string {
  return Object.entries(coords).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
}

interface Row {
  coords: Record<string, unknown>;
  deps: { option: string; cell: string }[];
}

/** the stage's references joined with the cells they name */
function joinRefs(grid: Grid, stage: Stage, cellsOf: Map<string, Cell[]>): Row[] {
  let rows: Row[] = [{ coords: {}, deps: [] }];
  for (const ref of stage.refs) {
    const at = `${grid.file}: stages.${stage.name}.${stage.kind}.${ref.option}`;
    const targets = cellsOf.get(ref.stage)!;
    const known = new Set(targets.flatMap((c) => Object.keys(c.coords)));
    for (const key of Object.keys(ref.where)) {
      if (!known.has(key)) throw new GridError(`${at}: stage "${ref.stage}" has no axis "${key}"${known.size ? ` (its axes: ${[...known].join(', ')})` : ''}`);
    }
    const next: Row[] = [];
    for (const row of rows) {
      for (const c of targets) {
        if (Object.entries(ref.where).some(([k, v]) => !same(c.coords[k], v))) continue;
        const inherited = Object.entries(c.coords).filter(([k]) => !(k in ref.where));
        if (inherited.some(([k, v]) => k in row.coords && !same(row.coords[k], v))) continue;
        next.push({ coords: { ...row.coords, ...Object.fromEntries(inherited) }, deps: [...row.deps, { option: ref.option, cell: c.id }] });
      }
    }
    if (next.length === 0) throw new GridError(`${at}: matches no cell of stage "${ref.stage}"`);
    rows = next;
  }
  return rows;
}

function product(axes: [string, unknown[]][]): Record<string, unknown>[] {
  let out: Record<string, unknown>[] = [{}];
  for (const [name, values] of axes) out = out.flatMap((o) => values.map((v) => ({ ...o, [name]: v })));
  return out;
}

function validate(stage: Stage, options: Record<string, unknown>, where: string): CellConfig {
  const raw = Object.fromEntries(Object.entries(options).map(([k, v]) => [camel(k), v]));
  try {
    const r = COMMANDS[stage.kind].schema.safeParse(raw);
    if (r.success) return r.data;
    const issue = r.error.issues[0];
    const key = issue.path.map(String).map((p) => p.replace(/[A-Z]/g, (ch) => `-${ch.toLowerCase()}`)).join('.');
    throw new GridError(`${where}: ${key ? `${key}: ` : ''}${issue.code === 'unrecognized_keys' ? `unknown option ${issue.keys.join(', ')}` : issue.message}`);
  } catch (err) {
    if (err instanceof GridError || err instanceof z.ZodError) throw err;
    throw new GridError(`${where}: ${(err as Error).message}`);
  }
}

export function expandGrid(grid: Grid): Plan {
  const cellsOf = new Map<string, Cell[]>();
  const byId = new Map<string, Cell>();
  const cells: Cell[] = [];
  for (const stage of stageOrder(grid)) {
    const rows = joinRefs(grid, stage, cellsOf);
    const inherited = Object.keys(rows[0].coords);
    for (const [axis] of stage.axes) {
      if (inherited.includes(axis)) throw new GridError(`${grid.file}: stages.${stage.name}.axes.${axis}: "${axis}" is already a coordinate of the cells it uses (an axis is set once along a chain of stages)`);
    }
    const own = product(stage.axes);
    const mine: Cell[] = [];
    for (const row of rows) {
      for (const point of own) {
        const coords = { ...row.coords, ...point };
        const where = `${grid.file}: stages.${stage.name}${Object.keys(coords).length ? ` (${describeCoords(coords)})` : ''}`;
        const options = { ...stage.base, ...point, ...Object.fromEntries(row.deps.map((d) => [d.option, `${CELL_REF}${d.cell}`])) };
        const config = validate(stage, options, where);
        const hashed = Object.fromEntries(Object.entries(config).filter(([k]) => !COMMANDS[stage.kind].locationOptions.map(camel).includes(k)));
        const id = cellId(stage.kind, hashed);
        const twin = byId.get(id);
        if (twin) throw new GridError(`${where}: the same config as stages.${twin.stage} (${describeCoords(twin.coords)}): every cell must differ`);
        const level = row.deps.length ? 1 + Math.max(...row.deps.map((d) => byId.get(d.cell)!.level)) : 0;
        const cell: Cell = { id, stage: stage.name, kind: stage.kind, coords, config, deps: row.deps, level };
        byId.set(id, cell);
        mine.push(cell);
      }
    }
    cellsOf.set(stage.name, mine);
    cells.push(...mine);
  }
  return { grid, cells };
}

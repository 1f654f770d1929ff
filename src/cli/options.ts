/** Parsers for command-line option values: each throws a UserError naming the option. */
import { UserError } from './run.js';

export function positiveInt(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!/^\s*\d+\s*$/.test(v) || !Number.isInteger(n) || n < 1) throw new UserError(`${name} must be a whole number >= 1, got "${v}"`);
    return n;
  };
}

export function nonNegativeInt(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!/^\s*\d+\s*$/.test(v) || !Number.isInteger(n)) throw new UserError(`${name} must be a whole number >= 0, got "${v}"`);
    return n;
  };
}

export function nonNegativeNumber(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw new UserError(`${name} must be a number >= 0, got "${v}"`);
    return n;
  };
}

export function positiveNumber(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || n <= 0) throw new UserError(`${name} must be a number > 0, got "${v}"`);
    return n;
  };
}

/** any finite number (the range is the schema's to check) */
export function finiteNumber(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n)) throw new UserError(`${name} must be a number, got "${v}"`);
    return n;
  };
}

/** a comma-separated list of numbers like 0.6,0.8 */
export function numberList(name: string) {
  return (v: string): number[] => {
    const parts = v.split(',').map((p) => p.trim());
    if (parts.some((p) => p === '' || !Number.isFinite(Number(p)))) throw new UserError(`${name} must be a comma-separated list of numbers like 0.6,0.8, got "${v}"`);
    return parts.map(Number);
  };
}

export function booleanFlag(name: string) {
  return (v: string): boolean => {
    const t = v.trim().toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(t)) return true;
    if (['false', '0', 'no', 'off'].includes(t)) return false;
    throw new UserError(`${name} must be true or false, got "${v}"`);
  };
}

export function intList(name: string) {
  return (v: string): number[] => {
    const parts = v.split(',').map((p) => p.trim());
    if (parts.some((p) => !/^\d+$/.test(p) || Number(p) < 1)) throw new UserError(`${name} must be a comma-separated list of widths like 4096,4096, got "${v}"`);
    return parts.map(Number);
  };
}

export function oneOf<T extends string>(name: string, allowed: readonly T[]) {
  return (v: string): T => {
    if (!(allowed as readonly string[]).includes(v)) throw new UserError(`${name} must be one of ${allowed.join(', ')}, got "${v}"`);
    return v as T;
  };
}

export function listOf<T extends string>(name: string, allowed: readonly T[]) {
  return (v: string): T[] => {
    const parts = v.split(',').map((p) => p.trim().toLowerCase()).filter((p) => p);
    const bad = parts.filter((p) => !(allowed as readonly string[]).includes(p));
    if (bad.length || parts.length === 0) throw new UserError(`${name}: unknown ${bad.length ? `"${bad.join(', ')}"` : 'empty list'}; choose from ${allowed.join(', ')}`);
    return [...new Set(parts)] as T[];
  };
}

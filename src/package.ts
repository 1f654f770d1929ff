/**
 * The hire-snn package's own directory (Node only): walks up from this module (src/ under tsx,
 * dist/src/ when built) to the package.json named hire-snn. The native addon, the version and
 * the shared data copy beside the repository are found from here.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: { root?: string; version?: string } | undefined;

function find(): { root?: string; version?: string } {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        const json = JSON.parse(readFileSync(pkg, 'utf8')) as { name?: unknown; version?: unknown };
        if (json.name === 'hire-snn') return { root: dir, version: typeof json.version === 'string' ? json.version : undefined };
      } catch {
        // unreadable package.json: keep walking up
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return {};
    dir = parent;
  }
}

/** the package root, or undefined when this module is not inside the package (bundled elsewhere) */
export function packageRoot(): string | undefined {
  return (cached ??= find()).root;
}

/** the version in package.json ('unknown' outside the package) */
export function packageVersion(): string {
  return (cached ??= find()).version ?? 'unknown';
}

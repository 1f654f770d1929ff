import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

let cached: string | undefined;

/** the package version, read from package.json (works from src/ under tsx and from dist/src/) */
export function packageVersion(): string {
  if (cached) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'hire-snn' && pkg.version) return (cached = pkg.version);
    } catch {
      /* keep walking up */
    }
    dir = path.dirname(dir);
  }
  return (cached = 'unknown');
}

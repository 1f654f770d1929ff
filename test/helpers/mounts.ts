/** Small tmpfs mounts for tests of file system failures (read-only, full); null where mounting is not allowed (not root). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';

export interface Mount {
  dir: string;
  unmount: () => void;
}

/** a tmpfs at a fresh directory: `ro` read-only, else `size` bytes (rounded up to pages) */
export function tmpfsMount(opts: { ro?: boolean; size?: number }): Mount | null {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hire-snn-mnt-'));
  const options = [opts.ro ? 'ro' : 'rw', `size=${opts.size ?? 65536}`].join(',');
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { encoding: 'utf8' });
  if (r.status !== 0) {
    fs.rmSync(dir, { recursive: true, force: true });
    return null;
  }
  return {
    dir,
    unmount: () => {
      spawnSync('umount', [dir]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

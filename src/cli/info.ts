/** `hire-snn info`: version, backend, threads, CPU features. */
import type { Command } from 'commander';
import os from 'node:os';
import { readFileSync } from 'node:fs';
import { getBackend, backendNotice } from '../kernels/index.js';
import { packageVersion } from '../package.js';

function cpuFeatures(): string {
  try {
    const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
    const flags = /^flags\s*:\s*(.*)$/m.exec(cpuinfo)?.[1].split(/\s+/) ?? [];
    const wanted = ['sse4_2', 'avx', 'avx2', 'fma', 'avx512f', 'avx512bw', 'avx512vl', 'avx512_vnni', 'avx512_bf16', 'amx_tile'];
    return wanted.filter((f) => flags.includes(f)).join(' ') || 'unknown';
  } catch {
    return 'unknown';
  }
}

export function registerInfo(program: Command): void {
  program
    .command('info')
    .description('print version, compute backend, threads and CPU features')
    .action(() => {
      const backend = getBackend();
      const info = backend.info();
      const lines: [string, string][] = [
        ['hire-snn', packageVersion()],
        ['node', process.version],
        ['backend', info.name],
        ['threads', String(info.threads)],
        ['cpu', `${os.cpus()[0]?.model ?? 'unknown'} (${os.cpus().length} logical cores)`],
        ['cpu features', cpuFeatures()],
        ...Object.entries(info.details),
      ];
      const notice = backendNotice();
      if (notice) lines.push(['notice', notice]);
      const width = Math.max(...lines.map(([k]) => k.length));
      for (const [k, v] of lines) console.log(`${k.padEnd(width)}  ${v}`);
    });
}

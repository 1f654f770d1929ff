/**
 * Progress with ETA for long jobs: a bar on a terminal (cli-progress), and on a pipe or in
 * CI a plain line every ~10 % or 30 s once a phase has run 5 s, so logs stay readable.
 */
import cliProgress from 'cli-progress';
import type { ProgressReporter } from '../progress.js';

function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = Math.floor(s % 60);
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m` : m > 0 ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}

export function createProgress(label: string, total: number, unit = 'img'): ProgressReporter {
  const start = Date.now();
  if (process.stderr.isTTY && !process.env.CI) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label} [{bar}] {value}/{total} ${unit} | {rate} ${unit}/s | ETA {etaText} | {fields}`,
        stream: process.stderr,
        hideCursor: true,
        barsize: 24,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { fields: '', rate: '0.0', etaText: '?' });
    return {
      update(done, fields = '') {
        const elapsed = (Date.now() - start) / 1000;
        const rate = done / Math.max(elapsed, 1e-9);
        bar.update(done, { fields, rate: rate.toFixed(1), etaText: formatSeconds((total - done) / rate) });
      },
      stop() {
        bar.stop();
      },
    };
  }
  let lastPrint = 0;
  let lastShare = -1;
  // HIRE_SNN_PROGRESS=always: report short phases too (tests watch for progress lines)
  const quietStart = process.env.HIRE_SNN_PROGRESS === 'always' ? 0 : 5_000;
  return {
    update(done, fields = '') {
      const now = Date.now();
      // short phases stay silent: their result line says enough
      if (now - start < quietStart && lastPrint === 0) return;
      const share = Math.floor((10 * done) / Math.max(total, 1));
      if (share === lastShare && now - lastPrint < 30_000 && done < total) return;
      lastShare = share;
      lastPrint = now;
      const elapsed = (now - start) / 1000;
      const rate = done / Math.max(elapsed, 1e-9);
      console.error(`${label} ${done}/${total} ${unit} (${((100 * done) / Math.max(total, 1)).toFixed(0)}%), ${rate.toFixed(1)} ${unit}/s, elapsed ${formatSeconds(elapsed)}, ETA ${formatSeconds((total - done) / rate)}${fields ? ` | ${fields}` : ''}`);
    },
    stop() {},
  };
}

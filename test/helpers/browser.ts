/**
 * A real headless Chromium (Debian's `chromium`, driven by playwright-core; never a downloaded
 * browser) for tests and scripts that check pages: launch with a fresh profile, open a file://
 * or http URL, collect console errors, page errors and failed requests, take a screenshot, check
 * that it is not blank, close.
 *
 *   const browser = await launchBrowser();
 *   try {
 *     const page = await browser.open(pathToFileURL('report.html').href);
 *     const png = await page.screenshot('shot.png');
 *     assert.deepEqual(page.errors, []);
 *     assert.equal(blankReason(png), undefined);
 *   } finally { await browser.close(); }
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { PNG } from 'pngjs';

export const CHROMIUM_PATH = process.env.HIRE_SNN_CHROMIUM ?? '/usr/bin/chromium';

/** the shared flags (COMMON.md contract 4): no GPU, no sandbox (root in CI), nothing phoning home */
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/**
 * For node:test's `skip` option: false when Chromium is there; otherwise the reason to skip,
 * except under CI=true, where a missing browser is a failure (CI installs it).
 */
export function chromiumSkip(): string | false {
  if (fs.existsSync(CHROMIUM_PATH)) return false;
  const why = `no Chromium at ${CHROMIUM_PATH} (apt-get install chromium)`;
  if (process.env.CI === 'true') throw new Error(`${why}: CI=true needs it`);
  return why;
}

export interface OpenOptions {
  width?: number;
  height?: number;
  /** ms to wait for the load event */
  timeout?: number;
}

export interface OpenedPage {
  page: Page;
  /** console.error messages, uncaught page errors and failed requests, in order */
  readonly errors: string[];
  /** every URL the page requested (the page's own included) */
  readonly requests: string[];
  /** a full-page PNG (its top `maxHeight` pixels when given); written to `file` too when given */
  screenshot(file?: string, opts?: { maxHeight?: number }): Promise<Buffer>;
}

export interface BrowserSession {
  open(url: string, opts?: OpenOptions): Promise<OpenedPage>;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<BrowserSession> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'hire-snn-chromium-'));
  let context: BrowserContext;
  try {
    // a persistent context is how playwright takes our own (fresh, throw-away) --user-data-dir
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      timeout: 60_000,
    });
  } catch (err) {
    fs.rmSync(profile, { recursive: true, force: true });
    throw err;
  }
  return {
    async open(url, opts = {}) {
      const page = await context.newPage();
      await page.setViewportSize({ width: opts.width ?? 1280, height: opts.height ?? 900 });
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => { if (m.type() === 'error') errors.push(`console.error: ${m.text()}`); });
      page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
      page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()} (${r.failure()?.errorText ?? '?'})`));
      page.on('request', (r) => { requests.push(r.url()); });
      const response = await page.goto(url, { waitUntil: 'load', timeout: opts.timeout ?? 30_000 });
      if (response && !response.ok() && !url.startsWith('file:')) errors.push(`HTTP ${response.status()} for ${url}`);
      return {
        page, errors, requests,
        async screenshot(file, shot = {}) {
          const width = page.viewportSize()!.width;
          const height = await page.evaluate(() => document.documentElement.scrollHeight);
          const clip = shot.maxHeight && shot.maxHeight < height ? { x: 0, y: 0, width, height: shot.maxHeight } : undefined;
          const png = await page.screenshot({ fullPage: true, type: 'png', ...(clip ? { clip } : {}) });
          if (file) fs.writeFileSync(file, png);
          return png;
        },
      };
    },
    async close() {
      try {
        await context.close();
      } finally {
        fs.rmSync(profile, { recursive: true, force: true });
      }
    },
  };
}

/**
 * Why a screenshot counts as blank, or undefined when it does not: a blank page is one colour
 * (or nearly: under `minInk` of its pixels differ from the most common colour).
 */
export function blankReason(png: Buffer, minInk = 0.005): string | undefined {
  const img = PNG.sync.read(png);
  const counts = new Map<number, number>();
  const px = img.data;
  for (let i = 0; i < px.length; i += 4) {
    const key = (px[i] << 24) | (px[i + 1] << 16) | (px[i + 2] << 8) | px[i + 3];
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const total = img.width * img.height;
  const background = Math.max(...counts.values());
  const ink = (total - background) / total;
  if (ink < minInk) return `${(ink * 100).toFixed(3)} % of ${img.width}x${img.height} pixels differ from the background (${counts.size} colours)`;
  return undefined;
}

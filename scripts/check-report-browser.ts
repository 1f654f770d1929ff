/**
 * Opens `hire-snn report` pages in Debian's headless Chromium and fails (exit 1, one line per
 * problem) if a page logs a console error, requests anything but itself, draws a chart of zero
 * size, or its screenshot is blank. One browser for all the pages given.
 *   node --import tsx scripts/check-report-browser.ts runs/quickstart/report.html [more.html...]
 *     [--screenshot shot.png (of the first page)] [--width 1280] [--max-height PX (keep the top of the page)]
 */
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { launchBrowser, blankReason, type BrowserSession } from '../test/helpers/browser.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { screenshot: { type: 'string' }, width: { type: 'string', default: '1280' }, 'max-height': { type: 'string' } },
});
if (!positionals.length || positionals.some((f) => !fs.existsSync(f))) {
  console.error('usage: check-report-browser.ts REPORT.html... [--screenshot OUT.png] [--width PX] [--max-height PX]');
  process.exit(2);
}

/** the problems of one page (empty when it is fine) and a summary line */
async function checkPage(browser: BrowserSession, file: string, screenshot?: string): Promise<{ problems: string[]; summary: string }> {
  const url = pathToFileURL(file).href;
  const page = await browser.open(url, { width: Number(values.width), height: 900 });
  const charts = await page.page.$$eval('figure.chart svg', (svgs) => svgs.map((s) => { const r = s.getBoundingClientRect(); return [r.width, r.height]; }));
  // the blank check always sees the whole page; the saved screenshot may keep only its top
  const png = await page.screenshot();
  if (screenshot) await page.screenshot(screenshot, { maxHeight: values['max-height'] ? Number(values['max-height']) : undefined });
  const problems = [...page.errors, ...page.requests.filter((r) => r !== url).map((r) => `the page requested ${r}`)];
  if (!charts.length) problems.push('no chart on the page');
  charts.forEach(([w, h], i) => { if (!(w > 10 && h > 10)) problems.push(`chart ${i + 1} is ${w}x${h} px`); });
  const blank = blankReason(png);
  if (blank) problems.push(`blank screenshot: ${blank}`);
  await page.page.close();
  return { problems, summary: `${file}: ${charts.length} charts, ${page.requests.length} request(s)${screenshot ? `, screenshot -> ${screenshot}` : ''}` };
}

const browser = await launchBrowser();
let failed = false;
try {
  for (const [i, file] of positionals.entries()) {
    const { problems, summary } = await checkPage(browser, file, i === 0 ? values.screenshot : undefined);
    for (const p of problems) console.error(`check-report-browser: ${file}: ${p}`);
    console.log(`${problems.length ? 'FAIL' : 'ok'} ${summary}`);
    failed ||= problems.length > 0;
  }
} finally {
  await browser.close();
}
process.exitCode = failed ? 1 : 0;

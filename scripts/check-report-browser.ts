/**
 * Opens a `hire-snn report` page in Debian's headless Chromium and fails (exit 1, one line per
 * problem) if the page logs a console error, requests anything but itself, draws a chart of
 * zero size, or its screenshot is blank.
 *   node --import tsx scripts/check-report-browser.ts runs/quickstart/report.html [--screenshot shot.png]
 *     [--width 1280] [--max-height PX: the screenshot keeps only the top of the page]
 */
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { launchBrowser, blankReason } from '../test/helpers/browser.js';

const { positionals, values } = parseArgs({ allowPositionals: true, options: { screenshot: { type: 'string' }, width: { type: 'string', default: '1280' }, 'max-height': { type: 'string' } } });
if (positionals.length !== 1 || !fs.existsSync(positionals[0])) {
  console.error('usage: check-report-browser.ts REPORT.html [--screenshot OUT.png] [--width PX] [--max-height PX]');
  process.exit(2);
}
const url = pathToFileURL(positionals[0]).href;
const browser = await launchBrowser();
const problems: string[] = [];
let summary = '';
try {
  const page = await browser.open(url, { width: Number(values.width), height: 900 });
  const charts = await page.page.$$eval('figure.chart svg', (svgs) => svgs.map((s) => { const r = s.getBoundingClientRect(); return [r.width, r.height]; }));
  const maxHeight = values['max-height'] ? Number(values['max-height']) : undefined;
  // the blank check always sees the whole page; the saved screenshot may keep only its top
  const png = await page.screenshot();
  if (values.screenshot) await page.screenshot(values.screenshot, { maxHeight });
  problems.push(...page.errors);
  problems.push(...page.requests.filter((r) => r !== url).map((r) => `the page requested ${r}`));
  if (!charts.length) problems.push('no chart on the page');
  charts.forEach(([w, h], i) => { if (!(w > 10 && h > 10)) problems.push(`chart ${i + 1} is ${w}x${h} px`); });
  const blank = blankReason(png);
  if (blank) problems.push(`blank screenshot: ${blank}`);
  summary = `${positionals[0]}: ${charts.length} charts, ${page.requests.length} request(s), screenshot ${png.byteLength} bytes${values.screenshot ? ` -> ${values.screenshot}` : ''}`;
} finally {
  await browser.close();
}
for (const p of problems) console.error(`check-report-browser: ${p}`);
console.log(`${problems.length ? 'FAIL' : 'ok'} ${summary}`);
process.exitCode = problems.length ? 1 : 0;

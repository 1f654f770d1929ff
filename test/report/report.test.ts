/**
 * `hire-snn report` rendered from fixture eval results and run folders: self-contained, one
 * chart per section with the expected series and points (counted in Vega's SVG, where every
 * line and point is an element with its own aria role), inputs escaped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readReportInputs } from '../../src/report/inputs.js';
import { buildReport } from '../../src/report/build.js';
import { singleEval, writeJson, makeRun, fixtureInputs } from './fixtures.js';

function sectionsOf(html: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of html.matchAll(/<section id="([^"]+)">([\s\S]*?)<\/section>/g)) out.set(m[1], m[2]);
  return out;
}

const count = (text: string, what: string) => text.split(what).length - 1;
const marks = (svg: string, role: string) => count(svg, `aria-roledescription="${role}"`);

test('report: self-contained, one chart per section with the expected series and points, names escaped', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-'));
  try {
    const { html, charts } = await buildReport(readReportInputs(fixtureInputs(dir)), { generatedAt: new Date(0) });
    // self-contained: no URL, no external resource, no script, nothing a browser would fetch
    assert.doesNotMatch(html, /https?:\/\//i);
    assert.doesNotMatch(html, /<(script|link|iframe|object|embed|img|image|use|foreignObject)\b/i);
    assert.doesNotMatch(html, /@import|url\(|@font-face/i);
    // every tag (input text is escaped, so a raw '<' starts a real tag): no src, no event handler, links within the page
    const tags = html.match(/<[a-z][^>]*>/gi)!;
    assert.ok(tags.length > 1000);
    for (const tag of tags) {
      for (const [, name, value] of tag.matchAll(/\s([a-zA-Z:-]+)="([^"]*)"/g)) {
        assert.doesNotMatch(name, /^(src|on[a-z]+|xlink:href|action|formaction|style)$/i, tag);
        if (name === 'href') assert.match(value, /^#[a-z-]+$/, tag);
      }
    }
    // escaped: the names appear as text
    assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;&quot;&#39;.pt'));
    assert.ok(html.includes('&lt;script&gt;alert(2)&lt;/script&gt;'));

    const sections = sectionsOf(html);
    assert.deepEqual([...sections.keys()], ['models', 'accuracy-epsilon', 'accuracy-timesteps', 'robustness', 'spikes', 'energy', 'training', 'tables']);
    assert.equal(charts, 6);
    for (const [id, body] of sections) assert.equal(count(body, '<svg'), ['models', 'tables'].includes(id) ? 0 : 1, id);

    // ε: panels fgsm wb, pgd wb (both files), pgd bb, worst case (sweep only). Today's file: 1 line
    // per panel from clean (ε=0) to 0.031; the sweep: T=4 and T=8 lines over its 3 ε.
    const eps = sections.get('accuracy-epsilon')!;
    assert.equal(marks(eps, 'line mark'), 2 * 1 + 4 * 2);
    assert.equal(marks(eps, 'point'), 2 * 2 + 4 * 2 * 3);
    // T (sweep only): clean is one line (it does not depend on ε), the 4 attack settings one line per ε
    const lat = sections.get('accuracy-timesteps')!;
    assert.equal(marks(lat, 'line mark'), 1 + 4 * 3);
    assert.equal(marks(lat, 'point'), 2 + 4 * 3 * 2);
    // bars at each file's first point: 3 settings + 5 settings; diagnostics with the triggered one marked
    const rob = sections.get('robustness')!;
    assert.equal(marks(rob, 'bar'), 3 + 5);
    assert.ok(rob.includes('zero-gradients') && rob.includes('TRIGGERED') && rob.includes('try another surrogate'));
    // the sweep's bars are at its largest ε and first T (8/255, T=4), not at its first entry (ε=0)
    assert.ok(rob.includes('setting: fgsm white-box; top-1 %: 14.627'), 'headline point');
    assert.ok(rob.includes('snn-s0: cifar10 test n=200; ε 8/255, T 4;'));
    assert.ok(eps.includes('snn-s0: cifar10 test n=200; ε 0,4/255,8/255, T 4,8;'));
    // spikes: 3 settings x 4 layers, 4 settings x 3 layers
    const sp = sections.get('spikes')!;
    assert.equal(marks(sp, 'line mark'), 3 + 4);
    assert.equal(marks(sp, 'point'), 12 + 12);
    // energy: ANN and SNN bars for 5 ops and 4 ops
    assert.equal(marks(sections.get('energy')!, 'bar'), 2 * (5 + 4));
    // training: the SNN run has 7 curves (loss, top-1, rate each train+test, lr), test ones with
    // epoch 0 from the conversion; the ANN run has no rates and no conversion
    const tr = sections.get('training')!;
    assert.equal(marks(tr, 'line mark'), 7 + 5);
    assert.equal(marks(tr, 'point'), (4 * 3 + 3 * 4) + 5 * 2);

    // identities: the run with a model shows its real sha256, the other says it has none yet
    const models = sections.get('models')!;
    assert.match(models, /<td>[0-9a-f]{64}<\/td>/);
    assert.ok(models.includes('not written yet'));
    assert.ok(models.includes('b'.repeat(64)) && models.includes('c'.repeat(64)));
    // the accuracy table has every (model, ε, T) row: 1 + 3 x 2
    const tables = sections.get('tables')!;
    const accTable = tables.slice(0, tables.indexOf('</table>'));
    assert.equal(count(accTable, '<tr>') - 1, 1 + 6);
    assert.ok(accTable.includes('<td class="n">8/255</td>'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('report: an eval of a trained run is labelled with the run\'s name', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-'));
  try {
    const run = makeRun(path.join(dir, 'hire-s0'), { epochs: 1, snn: true, model: true });
    const sha = readReportInputs([run]).runs[0].model.sha256!;
    const json = writeJson(path.join(dir, 'e.json'), singleEval('/elsewhere/weights.safetensors', { sha256: sha }));
    const inputs = readReportInputs([json, run]);
    assert.equal(inputs.evals[0].label, 'hire-s0');
    assert.equal(inputs.runs[0].label, 'hire-s0');
    const two = readReportInputs([json, json, path.join(run, 'log.jsonl')]);
    assert.equal(two.runs[0].dir, run);
    assert.deepEqual(two.evals.map((e) => e.label), ['hire-s0', 'hire-s0 (2)']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('report: models evaluated at one T each are joined into one accuracy-vs-T line per method (mean over models)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'report-'));
  try {
    // a latency sweep's evals: snn and hire at T = 4 and 8, hire at T = 8 twice (two seeds)
    const evals = [['snn', 4, 0], ['snn', 8, 2], ['hire', 4, 5], ['hire', 8, 6], ['hire', 8, 9]].map(([method, T, shift], k) =>
      writeJson(path.join(dir, `e${k}.json`), singleEval(`m${k}.safetensors`, { method: method as string, timesteps: T as number, shift: shift as number, sha256: String(k).repeat(64) })));
    const { html } = await buildReport(readReportInputs(evals), { generatedAt: new Date(0) });
    const lat = sectionsOf(html).get('accuracy-timesteps')!;
    // panels clean, fgsm wb, pgd wb; in each a line per method over T = 4, 8
    assert.equal(count(lat, '<svg'), 1);
    assert.equal(marks(lat, 'line mark'), 3 * 2);
    assert.equal(marks(lat, 'point'), 3 * 2 * 2);
    // only joined lines: the legend names training methods
    assert.ok(lat.includes('training method: hire') && lat.includes('training method: snn') && !lat.includes('model: '));
    // hire at T=8, PGD: the mean of 26 and 29 (20 + each seed's shift)
    assert.ok(lat.includes('time steps T: 8; top-1 %: 27.5; training method: hire'), 'mean of the two seeds');
    assert.ok(lat.includes('up to 2 models per point'));
    // every model on a line states its protocol
    assert.equal(count(lat, 'cifar10 test n=500; ε 0.031, T '), 5);
    // the joined lines as a table: one row per (line, T), the models named
    const tables = sectionsOf(html).get('tables')!;
    assert.ok(tables.includes('<td>hire</td><td class="n">8</td><td>m3.safetensors, m4.safetensors</td>'), 'latency table row');
    // the other files' single T does not make a line: the sweep-format eval keeps its own
    const alone = await buildReport(readReportInputs([evals[0]]), { generatedAt: new Date(0) });
    assert.equal(count(sectionsOf(alone.html).get('accuracy-timesteps')!, '<svg'), 0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

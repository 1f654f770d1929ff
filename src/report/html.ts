/**
 * The report page: one self-contained HTML document (inline CSS and SVG, no script, no URL, no
 * font file; a Content-Security-Policy that forbids loading anything). Every piece of text that
 * came from an input is escaped here; only the SVGs from Vega (which escapes its own text) are
 * inserted as markup.
 */
import type { TopLevelSpec } from 'vega-lite';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export interface Table {
  caption: string;
  head: string[];
  rows: string[][];
}

export interface Section {
  id: string;
  title: string;
  paragraphs: string[];
  chart?: { svg: string; spec: TopLevelSpec };
  tables: Table[];
}

export function markdownTable(t: Table): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const line = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(t.head), line(t.head.map(() => '---')), ...t.rows.map(line)].join('\n');
}

/** cells that are numbers (or n/a, or a fraction like 8/255) are right-aligned */
const NUMBER = /^(-?[\d.]+(e[-+]?\d+)?|n\/a|-|\d+\/255)$/;

function htmlTable(t: Table): string {
  const head = t.head.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const rows = t.rows.map((r) => `<tr>${r.map((c) => (NUMBER.test(c) ? `<td class="n">${escapeHtml(c)}</td>` : `<td>${escapeHtml(c)}</td>`)).join('')}</tr>`).join('\n');
  return `<table><caption>${escapeHtml(t.caption)}</caption><thead><tr>${head}</tr></thead><tbody>\n${rows}\n</tbody></table>`;
}

function renderSection(s: Section): string {
  const parts = [`<section id="${escapeHtml(s.id)}"><h2>${escapeHtml(s.title)}</h2>`];
  for (const p of s.paragraphs) parts.push(`<p>${escapeHtml(p)}</p>`);
  if (s.chart) {
    parts.push(`<figure class="chart">${s.chart.svg}</figure>`);
    parts.push(`<details><summary>Vega-Lite spec (paste into any Vega-Lite editor to reopen the chart)</summary><pre>${escapeHtml(JSON.stringify(s.chart.spec, null, 1))}</pre></details>`);
  }
  for (const t of s.tables) {
    parts.push(htmlTable(t));
    parts.push(`<details><summary>as Markdown</summary><pre>${escapeHtml(markdownTable(t))}</pre></details>`);
  }
  parts.push('</section>');
  return parts.join('\n');
}

const CSS = `
body { font-family: system-ui, sans-serif; margin: 0 auto; max-width: 1180px; padding: 0 24px 48px; color: #1b1b1b; background: #fff; }
h1 { margin: 24px 0 4px; font-size: 26px; } h2 { margin-top: 36px; border-bottom: 1px solid #ddd; padding-bottom: 4px; font-size: 20px; }
p { line-height: 1.45; max-width: 110ch; } .meta { color: #555; margin: 0; }
nav { margin: 12px 0; } nav a { margin-right: 14px; color: #245; }
figure.chart { margin: 12px 0; overflow-x: auto; } figure.chart svg { max-width: none; }
table { border-collapse: collapse; margin: 14px 0 4px; font-size: 13px; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { border: 1px solid #d4d4d4; padding: 3px 8px; text-align: left; }
th { background: #f3f3f3; } td.n { text-align: right; white-space: nowrap; }
td { max-width: 520px; overflow-wrap: anywhere; }
details { margin: 2px 0 10px; font-size: 13px; } summary { cursor: pointer; color: #345; }
pre { background: #f7f7f7; padding: 8px; overflow-x: auto; max-height: 360px; font-size: 12px; }
`;

/** a policy that lets the page use its own inline styles and nothing else (no script, no fetch) */
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

export function renderPage(meta: { title: string; lines: string[] }, sections: readonly Section[]): string {
  const nav = sections.map((s) => `<a href="#${escapeHtml(s.id)}">${escapeHtml(s.title)}</a>`).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(meta.title)}</title>
<style>${CSS}</style>
</head>
<body>
<header><h1>${escapeHtml(meta.title)}</h1>
${meta.lines.map((l) => `<p class="meta">${escapeHtml(l)}</p>`).join('\n')}
<nav>${nav}</nav></header>
${sections.map(renderSection).join('\n')}
</body>
</html>
`;
}

/**
 * Vega-Lite spec -> inline SVG, in Node, with no canvas and no network: vega-lite compiles the
 * spec to Vega, Vega's headless View renders it (renderer 'none' + toSVG). Text widths are
 * estimated (no node-canvas), which is close enough for axis labels and legends.
 */
import { compile, type TopLevelSpec, type Config } from 'vega-lite';
import { View, parse } from 'vega';

const CONFIG: Config = {
  font: 'sans-serif',
  background: 'white',
  padding: 8,
  axis: { labelFontSize: 11, titleFontSize: 12 },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 260 },
  header: { labelFontSize: 12 },
  line: { strokeWidth: 2 },
};

/** the spec as embedded in the report: our config folded in, so it reopens as rendered */
export function withConfig(spec: TopLevelSpec): TopLevelSpec {
  return { ...spec, config: { ...CONFIG, ...(spec.config ?? {}) } } as TopLevelSpec;
}

export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const vega = compile(withConfig(spec)).spec;
  const view = new View(parse(vega), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    // inline SVG in HTML needs no namespace declarations; dropping them keeps the page free of URLs
    return svg.replace(/ xmlns(:xlink)?="[^"]*"/g, '');
  } finally {
    view.finalize();
  }
}

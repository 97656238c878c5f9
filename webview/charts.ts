/**
 * Embeds the report's charts with vega-embed under a strict CSP: `ast: true` plus vega-interpreter's
 * `expressionInterpreter`, so vega never calls `Function` or `eval`; no injected <style> (defaultStyle: false,
 * tooltip default style off: media/report.css styles both); no actions menu (the report has its own exports).
 */
import embed, { type Result, type VisualizationSpec } from 'vega-embed';
import { expressionInterpreter } from 'vega-interpreter';
import type { Spec as VgSpec } from 'vega';
import type { TopLevelSpec } from 'vega-lite';

export interface EmbedOptions {
  renderer?: 'svg' | 'canvas';
  /** A change to the compiled Vega spec (e.g. the threshold drag handlers). */
  patch?: (vg: VgSpec) => VgSpec;
}

export async function embedChart(el: HTMLElement, spec: TopLevelSpec, options: EmbedOptions = {}): Promise<Result> {
  const result = await embed(el, spec as VisualizationSpec, {
    mode: 'vega-lite',
    ast: true,
    expr: expressionInterpreter,
    actions: false,
    defaultStyle: false,
    renderer: options.renderer ?? 'svg',
    tooltip: { disableDefaultStyle: true, theme: 'vscode' },
    patch: options.patch,
    logLevel: 1,
  });
  el.dataset.rendered = 'true';
  return result;
}

/** The chart as standalone SVG text (rendered headlessly by vega, whatever the on-screen renderer). */
export function chartSvg(result: Result): Promise<string> {
  return result.view.toSVG();
}

/** The chart as PNG bytes at twice the on-screen resolution. */
export async function chartPng(result: Result): Promise<Uint8Array> {
  const url = await result.view.toImageURL('png', 2);
  const b64 = url.slice(url.indexOf(',') + 1);
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

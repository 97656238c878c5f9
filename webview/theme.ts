import { DARK_THEME, LIGHT_THEME, type ChartTheme } from '../src/core/report/specs';
import { readablePalette } from './palette';

/** Which VS Code theme kind the body says (VS Code sets these classes on the webview's body). */
export function themeKind(): 'light' | 'dark' | 'high-contrast' | 'high-contrast-light' {
  const c = document.body.classList;
  if (c.contains('vscode-high-contrast-light')) return 'high-contrast-light';
  if (c.contains('vscode-high-contrast')) return 'high-contrast';
  if (c.contains('vscode-dark')) return 'dark';
  if (c.contains('vscode-light')) return 'light';
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

/**
 * Chart colours from the --vscode-* variables, falling back to Light+/Dark+ defaults where one is missing. Category
 * and regime colours are nudged to >= 4.5:1 against the editor background (readablePalette), so they stay readable
 * as text and as marks in every theme, high contrast included.
 */
export function readTheme(): ChartTheme {
  const kind = themeKind();
  const base = kind === 'dark' || kind === 'high-contrast' ? DARK_THEME : LIGHT_THEME;
  const css = getComputedStyle(document.body);
  const v = (name: string, fallback: string) => css.getPropertyValue(`--vscode-${name}`).trim() || fallback;
  const fontSize = parseFloat(v('font-size', '13px'));
  const highContrast = kind === 'high-contrast' || kind === 'high-contrast-light';
  return readablePalette({
    foreground: v('foreground', base.foreground),
    background: v('editor-background', base.background),
    muted: v('descriptionForeground', base.muted),
    grid: highContrast ? v('contrastBorder', base.grid) : v('editorWidget-border', v('panel-border', base.grid)),
    fontFamily: v('font-family', base.fontFamily),
    fontSize: Number.isFinite(fontSize) ? fontSize : base.fontSize,
    accent: v('focusBorder', base.accent),
    easy: v('charts-blue', base.easy),
    hard: v('charts-red', base.hard),
    overlap: v('charts-green', base.overlap),
    weak: v('charts-orange', base.weak),
    strong: v('charts-purple', base.strong),
    w2s: v('charts-blue', base.w2s),
    mixture: v('charts-foreground', base.mixture),
    random: v('charts-lines', base.random),
    low: v('charts-red', base.low),
    medium: v('charts-yellow', base.medium),
    high: v('charts-green', base.high),
  });
}

/**
 * The readable category and regime colours as CSS variables (--od-easy, --od-hard, --od-overlap, --od-low,
 * --od-medium, --od-high) on the page's root, for the summary, the table and the regime badge. Set through the
 * CSSOM, which the report's CSP allows (it forbids style attributes in markup, not this).
 */
export function applyThemeVariables(theme: ChartTheme, root: HTMLElement): void {
  const style = root.style;
  for (const k of ['easy', 'hard', 'overlap', 'low', 'medium', 'high'] as const) style.setProperty(`--od-${k}`, theme[k]);
}

/** Calls `onChange` when VS Code switches theme (it rewrites the body's class and style attributes). */
export function onThemeChange(onChange: () => void): () => void {
  let last = JSON.stringify(readTheme());
  const check = () => {
    const now = JSON.stringify(readTheme());
    if (now === last) return;
    last = now;
    onChange();
  };
  const observer = new MutationObserver(check);
  observer.observe(document.body, { attributes: true, attributeFilter: ['class', 'style', 'data-vscode-theme-kind'] });
  // VS Code writes the --vscode-* variables on <html>: a switch between two themes of one kind changes only those.
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });
  const media = matchMedia('(prefers-color-scheme: dark)');
  const onMedia = () => check();
  media.addEventListener('change', onMedia);
  return () => {
    observer.disconnect();
    media.removeEventListener('change', onMedia);
  };
}

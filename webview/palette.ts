/**
 * Colours that stay readable: WCAG 2 contrast ratios and a nudge that moves a theme colour toward black or white
 * until it reaches a ratio against the background. The report's category colours (easy-only, hard-only, overlap)
 * and regime colours go through `readablePalette`, so category words and chart marks keep >= 4.5:1 in every theme,
 * the two high-contrast ones included, whatever a theme sets for --vscode-charts-*. Pure (no DOM): unit-tested.
 */

/** WCAG AA for normal text. */
export const MIN_TEXT_CONTRAST = 4.5;

export interface Rgba {
  r: number;
  g: number;
  b: number;
  a: number;
}

/** `#rgb`, `#rgba`, `#rrggbb`, `#rrggbbaa`, `rgb(...)`, `rgba(...)`; null for anything else (names, var(), ...). */
export function parseColor(text: string): Rgba | null {
  const s = text.trim().toLowerCase();
  const hex = /^#([0-9a-f]{3,8})$/.exec(s);
  if (hex) {
    let h = hex[1];
    if (h.length === 3 || h.length === 4) h = [...h].map((c) => c + c).join('');
    if (h.length !== 6 && h.length !== 8) return null;
    const n = (i: number) => parseInt(h.slice(i, i + 2), 16);
    return { r: n(0), g: n(2), b: n(4), a: h.length === 8 ? n(6) / 255 : 1 };
  }
  const fn = /^rgba?\(\s*([^)]*)\)$/.exec(s);
  if (fn) {
    const parts = fn[1].split(/[\s,/]+/).filter(Boolean);
    if (parts.length !== 3 && parts.length !== 4) return null;
    const channel = (p: string) => (p.endsWith('%') ? (parseFloat(p) / 100) * 255 : parseFloat(p));
    const [r, g, b] = parts.slice(0, 3).map(channel);
    const a = parts.length === 4 ? (parts[3].endsWith('%') ? parseFloat(parts[3]) / 100 : parseFloat(parts[3])) : 1;
    if (![r, g, b, a].every(Number.isFinite)) return null;
    const clamp = (v: number, hi: number) => Math.min(hi, Math.max(0, v));
    return { r: clamp(r, 255), g: clamp(g, 255), b: clamp(b, 255), a: clamp(a, 1) };
  }
  return null;
}

export function toHex(c: Rgba): string {
  const x = (v: number) => Math.round(Math.min(255, Math.max(0, v))).toString(16).padStart(2, '0');
  return `#${x(c.r)}${x(c.g)}${x(c.b)}`;
}

/** `fg` painted over the opaque `bg` (a translucent theme colour as the eye sees it). */
function over(fg: Rgba, bg: Rgba): Rgba {
  const a = fg.a;
  return { r: fg.r * a + bg.r * (1 - a), g: fg.g * a + bg.g * (1 - a), b: fg.b * a + bg.b * (1 - a), a: 1 };
}

/** WCAG 2 relative luminance of an opaque colour. */
export function luminance(c: Rgba): number {
  const lin = (v: number) => {
    const s = v / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
}

/** WCAG 2 contrast ratio (1 to 21) of `fg` over `bg`; a translucent `fg` is composited over `bg` first. */
export function contrastRatio(fg: Rgba | string, bg: Rgba | string): number {
  const b = typeof bg === 'string' ? parseColor(bg) : bg;
  const f = typeof fg === 'string' ? parseColor(fg) : fg;
  if (!b || !f) return NaN;
  const solidBg = b.a < 1 ? over(b, { r: 255, g: 255, b: 255, a: 1 }) : b;
  const l1 = luminance(over(f, solidBg));
  const l2 = luminance(solidBg);
  return (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
}

function mix(a: Rgba, b: Rgba, t: number): Rgba {
  return { r: a.r + (b.r - a.r) * t, g: a.g + (b.g - a.g) * t, b: a.b + (b.b - a.b) * t, a: 1 };
}

/**
 * `color` itself when it already has `min` contrast against `background`; otherwise the least change of it toward
 * black or white (whichever needs less) that reaches `min`, as `#rrggbb`. Any opaque background has >= 4.58:1
 * against black or white, so a ratio up to that is always reached. An unreadable colour or background gives
 * `fallback` (the theme's foreground).
 */
export function ensureContrast(color: string, background: string, fallback: string, min = MIN_TEXT_CONTRAST): string {
  const bgRaw = parseColor(background);
  const raw = parseColor(color);
  if (!bgRaw) return fallback;
  const bg = bgRaw.a < 1 ? over(bgRaw, { r: 255, g: 255, b: 255, a: 1 }) : bgRaw;
  if (!raw) return fallback;
  const c = over(raw, bg);
  if (contrastRatio(c, bg) >= min) return color;
  let best: { t: number; color: Rgba } | null = null;
  for (const target of [{ r: 0, g: 0, b: 0, a: 1 }, { r: 255, g: 255, b: 255, a: 1 }]) {
    if (contrastRatio(target, bg) < min) continue;
    // Contrast need not grow monotonically along the way (the path can cross the background's luminance), so
    // walk it in small steps and keep the first that is enough.
    for (let i = 1; i <= 100; i++) {
      const t = i / 100;
      if (best && t >= best.t) break;
      const m = mix(c, target, t);
      if (contrastRatio(m, bg) >= min) {
        best = { t, color: m };
        break;
      }
    }
  }
  if (!best) return fallback;
  // Rounding to 8-bit channels can lose a hair of contrast: step on until the hex itself passes.
  let hex = toHex(best.color);
  const target = luminance(best.color) < luminance(bg) ? 0 : 255;
  for (let t = best.t; contrastRatio(hex, bg) < min && t < 1; t += 0.01) hex = toHex(mix(c, { r: target, g: target, b: target, a: 1 }, t));
  return contrastRatio(hex, bg) >= min ? hex : fallback;
}

export interface CategoryColors {
  easy: string;
  hard: string;
  overlap: string;
}

export interface RegimeColors {
  low: string;
  medium: string;
  high: string;
}

/** The theme's category and regime colours, each nudged to >= `min`:1 against `background`. */
export function readablePalette<T extends CategoryColors & RegimeColors>(theme: T & { background: string; foreground: string }, min = MIN_TEXT_CONTRAST): T {
  const fix = (c: string) => ensureContrast(c, theme.background, theme.foreground, min);
  return {
    ...theme,
    easy: fix(theme.easy),
    hard: fix(theme.hard),
    overlap: fix(theme.overlap),
    low: fix(theme.low),
    medium: fix(theme.medium),
    high: fix(theme.high),
  };
}

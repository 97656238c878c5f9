// The report's category and regime colours keep >= 4.5:1 against the background in every theme, the two
// high-contrast ones first (issue 15, item 9). Theme values are VS Code 1.139's own (charts.* and editor
// background/foreground of "Default High Contrast" and "Default High Contrast Light").
import { describe, expect, it } from 'vitest';
import { contrastRatio, ensureContrast, MIN_TEXT_CONTRAST, parseColor, readablePalette } from '../../../webview/palette';
import { DARK_THEME, LIGHT_THEME } from '../../../src/core/report/specs';

const HC_DARK = { ...DARK_THEME, background: '#000000', foreground: '#ffffff', easy: '#59a4f9', hard: '#F48771', overlap: '#89D185', low: '#F48771', medium: '#FFD370', high: '#89D185' };
const HC_LIGHT = { ...LIGHT_THEME, background: '#ffffff', foreground: '#292929', easy: '#0063d3', hard: '#B5200D', overlap: '#374e06', low: '#B5200D', medium: '#895503', high: '#374e06' };
// Light Modern's charts.yellow and charts.green are under 4.5:1 on white: the palette must change them.
const LIGHT_MODERN = { ...LIGHT_THEME, easy: '#0063d3', hard: '#E51400', overlap: '#388A34', low: '#E51400', medium: '#BF8803', high: '#388A34' };
// A hostile custom theme: every category colour nearly the background.
const PALE = { ...LIGHT_THEME, background: '#fafafa', foreground: '#111111', easy: '#f0f0ff', hard: '#fff0f0', overlap: 'rgba(0, 128, 0, 0.05)', low: '#ffffe0', medium: '#fafafa', high: '#eeeeee' };
const MUDDY = { ...DARK_THEME, background: '#777777', foreground: '#000000', easy: '#7a7aff', hard: '#787070', overlap: '#70a070', low: '#777777', medium: '#888888', high: '#666666' };

const KEYS = ['easy', 'hard', 'overlap', 'low', 'medium', 'high'] as const;

describe('contrastRatio', () => {
  it('matches the WCAG reference values', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#ffffff', '#ffffff')).toBeCloseTo(1, 5);
    expect(contrastRatio('#777777', '#ffffff')).toBeCloseTo(4.48, 2);
    expect(contrastRatio('#767676', '#ffffff')).toBeCloseTo(4.54, 2);
    // order does not matter; short hex, rgb() and alpha parse
    expect(contrastRatio('#fff', '#000')).toBeCloseTo(21, 5);
    expect(contrastRatio('rgb(0, 0, 0)', 'rgba(255,255,255,1)')).toBeCloseTo(21, 5);
    expect(contrastRatio('#00000080', '#ffffff')).toBeLessThan(5);
  });
  it('refuses what it cannot read', () => {
    expect(parseColor('var(--x)')).toBeNull();
    expect(parseColor('#12345')).toBeNull();
    expect(Number.isNaN(contrastRatio('red', '#fff'))).toBe(true);
  });
});

describe('readablePalette', () => {
  for (const [name, theme] of Object.entries({ HC_DARK, HC_LIGHT, LIGHT_MODERN, DARK_THEME, LIGHT_THEME, PALE, MUDDY })) {
    it(`${name}: every category and regime colour has >= 4.5:1 against the background`, () => {
      const p = readablePalette(theme);
      for (const k of KEYS) {
        const ratio = contrastRatio(p[k], theme.background);
        expect(ratio, `${name}.${k} = ${p[k]} on ${theme.background}: ${ratio.toFixed(2)}:1`).toBeGreaterThanOrEqual(MIN_TEXT_CONTRAST);
      }
    });
  }

  it('keeps a colour that is already readable exactly as the theme set it', () => {
    const p = readablePalette(HC_DARK);
    expect([p.easy, p.hard, p.overlap]).toEqual([HC_DARK.easy, HC_DARK.hard, HC_DARK.overlap]);
    const q = readablePalette(HC_LIGHT);
    expect([q.easy, q.hard, q.overlap]).toEqual([HC_LIGHT.easy, HC_LIGHT.hard, HC_LIGHT.overlap]);
  });

  it('changes only what fails, and the three categories stay three different colours', () => {
    const p = readablePalette(LIGHT_MODERN);
    expect(contrastRatio(LIGHT_MODERN.medium, '#ffffff')).toBeLessThan(MIN_TEXT_CONTRAST);
    expect(p.medium).not.toBe(LIGHT_MODERN.medium);
    expect(p.easy).toBe(LIGHT_MODERN.easy);
    for (const t of [HC_DARK, HC_LIGHT, LIGHT_MODERN, PALE, MUDDY]) {
      const r = readablePalette(t);
      expect(new Set([r.easy, r.hard, r.overlap]).size, JSON.stringify(r)).toBe(3);
    }
  });

  it('moves a failing colour no further than needed (just over the target)', () => {
    const fixed = ensureContrast('#BF8803', '#ffffff', '#000000');
    const ratio = contrastRatio(fixed, '#ffffff');
    expect(ratio).toBeGreaterThanOrEqual(MIN_TEXT_CONTRAST);
    expect(ratio).toBeLessThan(MIN_TEXT_CONTRAST + 0.4);
  });

  it('falls back to the foreground for a colour or background it cannot read', () => {
    expect(ensureContrast('var(--x)', '#ffffff', '#111111')).toBe('#111111');
    expect(ensureContrast('#123456', 'transparent', '#111111')).toBe('#111111');
  });
});

/** label.json as WRENCH writes it, and as other tools do (a list; the map turned round): the same class names. */
import { describe, expect, it } from 'vitest';
import { labelJsonNames } from '../../../src/core/data/file';

describe('labelJsonNames', () => {
  it('reads the three shapes to the same names in id order', () => {
    expect(labelJsonNames({ 0: 'ham', 1: 'spam' })).toEqual(['ham', 'spam']);
    expect(labelJsonNames({ 1: 'spam', 0: 'ham' })).toEqual(['ham', 'spam']);
    expect(labelJsonNames(['ham', 'spam'])).toEqual(['ham', 'spam']);
    expect(labelJsonNames({ spam: 1, ham: 0 })).toEqual(['ham', 'spam']);
    expect(labelJsonNames({ spam: '1', ham: '0' })).toEqual(['ham', 'spam']);
  });
  it('refuses what names no classes 0..K-1 once each', () => {
    for (const bad of [[], ['a', 'a'], ['a', ''], {}, { 0: 'a', 2: 'b' }, { a: 0, b: 0 }, { a: 0, b: 'x' }, { 0: 'a', 1: 'a' }, { '-1': 'a', 0: 'b' }, 'ham', null, { __proto__: 'x' }]) {
      expect(() => labelJsonNames(bad), JSON.stringify(bad)).toThrow();
    }
  });
});

import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { configKeys, DEFAULT_RULES, parseCheckConfig, RULE_KEYS, resolveRules } from '../../../src/core/check';
import { InputError } from '../../../src/core/errors';

const FILE = 'repo/overlap-density.check.json';

function parseError(text: string): InputError {
  try {
    parseCheckConfig(text, FILE);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('expected an InputError');
}

describe('parseCheckConfig', () => {
  it('reads every rule key with its value, and the meta keys', () => {
    const rules = parseCheckConfig(
      JSON.stringify({
        $schema: './schemas/overlap-density.check.schema.json', description: 'team rules', minDensity: 0.2, minPgr: 0.1,
        overlapEffect: 'positive', maxDensityDrop: 0.03, maxPgrDrop: 0.2, duplicateLabels: false, categoryChanges: false,
        overlapRowsRemoved: false, failOn: 'warning', maxRowFindings: 50,
      }, null, 2),
      FILE,
    );
    expect(rules).toEqual({
      minDensity: 0.2, minPgr: 0.1, overlapEffect: 'positive', maxDensityDrop: 0.03, maxPgrDrop: 0.2, duplicateLabels: false,
      categoryChanges: false, overlapRowsRemoved: false, failOn: 'warning', maxRowFindings: 50,
    });
  });

  it('an unknown key names its line and the close key', () => {
    const e = parseError('{\n  "minDensity": 0.2,\n\n  "maxDensityDorp": 0.1\n}\n');
    expect(e.file).toBe(FILE);
    expect(e.line).toBe(4);
    expect(e.message).toContain('unknown key "maxDensityDorp"');
    expect(e.message).toContain('did you mean "maxDensityDrop"?');
    expect(e.message).toContain(`${FILE}:4: `);
  });

  it('a key in another case or with dashes is suggested too; a far key gets no suggestion', () => {
    expect(parseError('{"min-density": 0.1}').message).toContain('did you mean "minDensity"?');
    expect(parseError('{"MINPGR": 0.1}').message).toContain('did you mean "minPgr"?');
    expect(parseError('{"colour": "red"}').message).not.toContain('did you mean');
  });

  it('a bad value names the line of its key and what was expected', () => {
    const bad: [string, number, RegExp][] = [
      ['{\n"overlapEffect": "yes"\n}', 2, /"overlapEffect" must be one of "positive", "not-negative", "any", got the string "yes"/],
      ['{"a_note": 1,\n"description": "x",\n\n"minDensity": 1.5}', 1, /unknown key "a_note"/],
      ['{"description": "x",\n\n"minDensity": 1.5}', 3, /"minDensity" must be a number from 0 to 1, got number 1.5/],
      ['{\n "duplicateLabels": "true"}', 2, /"duplicateLabels" must be true or false, got the string "true"/],
      ['{\n\n "maxRowFindings": 2.5}', 3, /"maxRowFindings" must be a whole number from 1 to 100000/],
      ['{"minPgr": null}', 1, /"minPgr" must be a number .* got null/],
      ['{"description": 3}', 1, /"description" must be a string/],
    ];
    for (const [text, line, re] of bad) {
      const e = parseError(text);
      expect(e.line, text).toBe(line);
      expect(e.message, text).toMatch(re);
    }
  });

  it('nested objects do not confuse the key lines', () => {
    const e = parseError('{\n "description": "has \\"minDensity\\": inside",\n "x": {"minDensity": 1},\n "failOn": "never"\n}');
    // "x" is unknown: line 3, although a nested "minDensity" sits on the same line.
    expect(e.line).toBe(3);
    expect(e.message).toContain('unknown key "x"');
  });

  it('malformed JSON, a non-object and a key set twice are errors with lines', () => {
    const syntax = parseError('{\n  "minDensity": 0.2,\n  "minPgr": ,\n}');
    expect(syntax.line).toBe(3);
    expect(syntax.message).toMatch(/malformed JSON/);
    expect(parseError('{\n"minDensity": 0.2\n"minPgr": 1\n}').line).toBe(3);
    expect(parseError('{"minDensity": 0.2}\n\nx').line).toBe(3);
    expect(parseError('[1, 2]').message).toContain('one JSON object');
    const twice = parseError('{\n"minPgr": 0.1,\n"minPgr": 0.2\n}');
    expect(twice.line).toBe(3);
    expect(twice.message).toContain('set twice (first on line 2)');
  });

  it('a byte-order mark and an empty object are fine; resolveRules fills the defaults, later layers win', () => {
    expect(parseCheckConfig('\ufeff{}', FILE)).toEqual({});
    const r = resolveRules({ minDensity: 0.1, failOn: 'warning' }, { minDensity: 0.3, minPgr: undefined });
    expect(r.minDensity).toBe(0.3);
    expect(r.failOn).toBe('warning');
    expect(r.minPgr).toBeUndefined();
    expect(r.overlapEffect).toBe(DEFAULT_RULES.overlapEffect);
    expect(r.maxRowFindings).toBe(200);
  });
});

describe('the shipped JSON schema and package.json', () => {
  const root = path.resolve(__dirname, '../../..');
  const schema = JSON.parse(fs.readFileSync(path.join(root, 'schemas/overlap-density.check.schema.json'), 'utf8'));

  it('has the same keys as parseCheckConfig, the same types, ranges, choices and defaults', () => {
    expect(Object.keys(schema.properties).sort()).toEqual(configKeys().sort());
    expect(schema.additionalProperties).toBe(false);
    for (const [key, spec] of Object.entries(RULE_KEYS)) {
      const p = schema.properties[key];
      if (spec.kind === 'boolean') expect(p.type, key).toBe('boolean');
      else if (spec.kind === 'enum') expect(p.enum, key).toEqual(spec.values);
      else {
        expect(p.type, key).toBe(spec.integer ? 'integer' : 'number');
        expect([p.minimum, p.maximum], key).toEqual([spec.min, spec.max]);
      }
      expect(p.default, key).toEqual((DEFAULT_RULES as Record<string, unknown>)[key]);
    }
  });

  it('accepts and refuses the same files as parseCheckConfig (ajv on the schema)', () => {
    const validate = new Ajv({ allErrors: true }).compile(schema);
    const samples = [
      '{}', '{"minDensity": 0.2, "overlapEffect": "positive", "$schema": "x", "description": "d"}',
      '{"maxRowFindings": 1}', '{"failOn": "warning", "duplicateLabels": false}',
      '{"minDensity": 1.5}', '{"minDensity": "0.2"}', '{"overlapEffect": "yes"}', '{"maxRowFindings": 2.5}',
      '{"maxRowFindings": 0}', '{"minPrg": 0.1}', '{"categoryChanges": 1}', '{"description": 3}', '{"maxPgrDrop": -1}',
    ];
    for (const text of samples) {
      let parsed = true;
      try {
        parseCheckConfig(text, FILE);
      } catch {
        parsed = false;
      }
      expect(validate(JSON.parse(text)), text).toBe(parsed);
    }
  });

  it('is registered for overlap-density.check.json and ships in the VSIX', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    expect(pkg.contributes.jsonValidation).toContainEqual({ fileMatch: 'overlap-density.check.json', url: './schemas/overlap-density.check.schema.json' });
    expect(fs.readFileSync(path.join(root, '.vscodeignore'), 'utf8')).toMatch(/^!schemas\/\*\.json$/m);
  });
});

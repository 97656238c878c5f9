/**
 * The official SARIF 2.1.0 JSON schema (OASIS, rtm.5; draft-04), as shipped by Microsoft's @microsoft/jest-sarif
 * package, compiled with ajv (ajv-draft-04). The formats the schema uses are checked too (ajv ignores unknown ones).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv-draft-04';

export const SARIF_SCHEMA_FILE = path.join(path.dirname(require.resolve('@microsoft/jest-sarif/package.json')), 'lib/schemas/sarif-2.1.0-rtm.5.json');
export const sarifSchema = JSON.parse(fs.readFileSync(SARIF_SCHEMA_FILE, 'utf8'));

// unicodeRegExp off: the schema's language pattern has a stray "]" that only the non-unicode RegExp accepts.
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
ajv.addFormat('uri', (s: string) => URL.canParse(s));
ajv.addFormat('uri-reference', (s: string) => !/\s/.test(s) && URL.canParse(s, 'file:///base/'));
ajv.addFormat('date-time', (s: string) => !Number.isNaN(Date.parse(s)));

export const validateSarif = ajv.compile(sarifSchema);

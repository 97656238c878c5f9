/**
 * SARIF 2.1.0 output of `check` (OASIS Static Analysis Results Interchange Format), so code-scanning views show
 * the findings on the dataset file's lines. One run; the driver lists every rule; each finding is a result with a
 * location (artifact URI relative to the base folder, start line) and its evidence as properties.
 */
import { RULE_INFO } from './catalogue';
import type { CheckReport } from './evaluate';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';

/** A relative path as a URI reference: forward slashes, each segment percent-encoded. */
export function relativeUri(relPath: string): string {
  return relPath.split(/[\\/]/).filter((s) => s !== '' && s !== '.').map(encodeURIComponent).join('/');
}

export interface SarifInput {
  /** The dataset's path relative to the base folder (the repository root in CI). */
  relativePath: string;
  report: CheckReport;
  /** The analysis's own warnings (a weak model at chance, a class only in the test file, ...): tool notifications. */
  warnings?: readonly string[];
}

// The subset of the SARIF object model written here (see @types/sarif for the full one).
export interface SarifLog {
  $schema: string;
  version: '2.1.0';
  runs: {
    tool: { driver: { name: string; version: string; rules: unknown[] } };
    originalUriBaseIds?: Record<string, { uri: string }>;
    results: unknown[];
    invocations?: unknown[];
    properties?: Record<string, unknown>;
  }[];
}

export function toSarif(inputs: readonly SarifInput[], tool: { version: string; baseUri?: string }): SarifLog {
  const ruleIndex = new Map(RULE_INFO.map((r, i) => [r.id, i]));
  const results = inputs.flatMap(({ relativePath, report }) =>
    report.findings.map((f) => ({
      ruleId: f.ruleId,
      ruleIndex: ruleIndex.get(f.ruleId)!,
      level: f.level,
      message: { text: f.message },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: relativeUri(relativePath), ...(tool.baseUri ? { uriBaseId: 'SRCROOT' } : {}) },
            region: { startLine: Math.max(1, Math.floor(f.line)) },
          },
        },
      ],
      properties: { ...f.evidence, ...(f.rowIndex !== undefined ? { rowIndex: f.rowIndex } : {}) },
    })),
  );
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'overlap-density',
            version: tool.version,
            rules: RULE_INFO.map((r) => ({
              id: r.id,
              name: r.name,
              shortDescription: { text: r.short },
              help: { text: r.help },
              defaultConfiguration: { level: r.level },
              properties: { configKey: r.key },
            })),
          },
        },
        ...(tool.baseUri ? { originalUriBaseIds: { SRCROOT: { uri: tool.baseUri.endsWith('/') ? tool.baseUri : `${tool.baseUri}/` } } } : {}),
        results,
        // the analyses' warnings are about the data, not a rule's finding: SARIF's place for them is the invocation's
        // tool notifications (code scanning shows them beside the run)
        invocations: [{
          executionSuccessful: true,
          toolExecutionNotifications: inputs.flatMap(({ relativePath, warnings }) => (warnings ?? []).map((w) => ({
            level: 'warning',
            message: { text: w },
            locations: [{ physicalLocation: { artifactLocation: { uri: relativeUri(relativePath), ...(tool.baseUri ? { uriBaseId: 'SRCROOT' } : {}) } } }],
          }))),
        }],
        properties: {
          datasets: inputs.map(({ relativePath, report }) => ({ uri: relativeUri(relativePath), status: report.status, summary: report.summary })),
        },
      },
    ],
  };
}

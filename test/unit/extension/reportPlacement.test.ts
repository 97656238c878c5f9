import { describe, expect, it } from 'vitest';
import { reportColumn } from '../../../src/extension/report/placement';

describe('reportColumn (one report group beside the editor)', () => {
  it('opens the first report to the right of the editor showing the dataset', () => {
    expect(reportColumn({ reportColumns: [], datasetColumn: 1, activeEditorColumn: 1 })).toBe(2);
    expect(reportColumn({ reportColumns: [], datasetColumn: 2 })).toBe(3);
  });
  it('falls back to the active text editor, then to the first group', () => {
    expect(reportColumn({ reportColumns: [], activeEditorColumn: 1 })).toBe(2);
    expect(reportColumn({ reportColumns: [] })).toBe(2);
  });
  it('puts every further report into the group of an open one, never beside it', () => {
    expect(reportColumn({ reportColumns: [2], datasetColumn: 1, activeEditorColumn: 1 })).toBe(2);
    expect(reportColumn({ reportColumns: [undefined, 3], datasetColumn: 1 })).toBe(3);
  });
});

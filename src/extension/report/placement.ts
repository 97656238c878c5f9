/**
 * Where a new report panel opens (issue 15, item 2). `ViewColumn.Beside` is relative to the *active* group, so
 * opening a report while another report (or any webview) has focus adds a third group and squeezes the editor.
 * Instead: reports share one group (the group of any open report panel); the first one opens in the group to the
 * right of the editor that shows the dataset (or the active text editor), never beside another report.
 */
export interface PlacementInput {
  /** View columns (1-based) of the report panels already open. */
  reportColumns: readonly (number | undefined)[];
  /** The view column of a visible text editor showing the dataset, if any. */
  datasetColumn?: number;
  /** The view column of the active text editor, if any. */
  activeEditorColumn?: number;
}

/** The 1-based view column for a new report panel. */
export function reportColumn(input: PlacementInput): number {
  const open = input.reportColumns.find((c): c is number => typeof c === 'number' && c > 0);
  if (open !== undefined) return open;
  const base = input.datasetColumn ?? input.activeEditorColumn ?? 1;
  return base + 1;
}

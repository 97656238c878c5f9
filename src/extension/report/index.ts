// The report webview's host side: what the rest of the extension uses.
export { ReportPanels, REPORT_VIEW_TYPE, type ReportDeps } from './panel';
export { loadSelectionResult, SelectionPanels, SELECTION_VIEW_TYPE } from './selectionPanel';

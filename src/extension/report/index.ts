// The report webview's host side: what the rest of the extension uses.
export { ReportPanel, registerReport, REPORT_VIEW_TYPE, type ReportDeps } from './panel';
export { loadSelectionResult, SelectionPanel, SELECTION_VIEW_TYPE } from './selectionPanel';

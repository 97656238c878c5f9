import type { SelectionResult } from '../core/select/schema';
import { PROTOCOL_VERSION, type SelectionInit, type SelectionSummaryData } from './messages';

/** A selection result without its per-seed round logs: what the page needs (summary bands, sources, plan). */
export function toSelectionSummary(result: SelectionResult): SelectionSummaryData {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { runs: _runs, ...summary } = result;
  return summary;
}

export function toSelectionInit(result: SelectionResult, resultPath: string): SelectionInit {
  return { protocol: PROTOCOL_VERSION, result: toSelectionSummary(result), resultPath };
}

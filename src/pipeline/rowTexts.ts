/**
 * Row texts for a report written from a results file (issue 15, item 6). Results carry no text; the dataset they
 * describe is read again, the same way the analysis read it, but only when it is there and unchanged (its sha256
 * equals the one the result recorded): a changed file could put another row's text next to a row's scores.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sha256File } from '../core/activations/file';
import { readDataset, type DatasetFormat, type ReadOptions } from '../core/data';
import type { AnalysisResult } from '../core/result/schema';
import { isResultStale } from './results';
import { datasetOfSidecar } from '../core/layout';

/** The dataset a results file describes: its sibling by the `.overlap/` convention, else the recorded path. */
export function datasetFileOf(result: AnalysisResult, resultPath: string): string | undefined {
  const beside = datasetOfSidecar(resultPath, ['result']);
  if (beside && fs.existsSync(beside)) return beside;
  return result.dataset.path;
}

/** Where a file a result names may be: beside the result (a relative path), then from the working folder. */
export function resultFileCandidates(file: string, resultPath: string): string[] {
  return [...new Set([path.resolve(path.dirname(resultPath), file), path.resolve(file)])];
}

/** The read options that reproduce the analysis's reading of the file (format, text and label fields, header). */
export function rereadOptions(result: AnalysisResult): ReadOptions {
  const read = result.dataset.read;
  const opts: ReadOptions = { lenient: true };
  if (result.dataset.format) opts.format = result.dataset.format as DatasetFormat;
  if (read) {
    const fields: NonNullable<ReadOptions['fields']> = {};
    if (read.textFields.length === 1) fields.text = read.textFields[0];
    else if (read.textFields.length > 1) fields.text = [...read.textFields];
    if (read.labelField) fields.label = read.labelField;
    opts.fields = fields;
    if (read.header) opts.header = read.header.present ? 'yes' : 'no';
  }
  return opts;
}

export type ReportTexts = { texts: (string | null)[]; file: string } | { texts: null; reason: string };

/**
 * Texts by dataset row index when the dataset is found and unchanged; otherwise why not. `requireHash` (the CLI's
 * default): a result without a recorded sha256 gets no texts, because nothing shows the file is the analysed one,
 * and a hand-made results file must not make `report` copy an arbitrary local file into a page meant for sharing.
 * The report panel passes false: it shows those texts in the editor already.
 */
export async function reportTexts(result: AnalysisResult, resultPath: string, { requireHash = true } = {}): Promise<ReportTexts> {
  if (result.dataset.format === 'npy') return { texts: null, reason: 'an analysis of activation arrays (.npy) has no row texts' };
  const file = datasetFileOf(result, resultPath);
  if (!file) return { texts: null, reason: 'the result names no dataset file' };
  const found = resultFileCandidates(file, resultPath).find((p) => fs.existsSync(p) && fs.statSync(p).isFile());
  if (!found) return { texts: null, reason: `the dataset file is not there (${file})` };
  if (!result.dataset.contentHash) {
    if (requireHash) return { texts: null, reason: 'the result records no sha256 of the dataset, so nothing shows the file is the analysed one' };
  } else if (isResultStale(result, await sha256File(found))) {
    return { texts: null, reason: `${path.basename(found)} changed since the analysis (its sha256 differs), so its rows may not be the analysed ones` };
  }
  try {
    const d = await readDataset(found, rereadOptions(result));
    const n = d.rows.reduce((m, r) => Math.max(m, r.index + 1), 0);
    const texts = new Array<string | null>(n).fill(null);
    for (const r of d.rows) texts[r.index] = typeof r.text === 'string' ? r.text : null;
    return { texts, file: found };
  } catch (e) {
    return { texts: null, reason: `${path.basename(found)} could not be read again (${(e as Error).message})` };
  }
}

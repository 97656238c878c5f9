import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../src/extension/staleness';
import { reportTexts } from '../../../src/pipeline/rowTexts';
import { buildResult, datasetJsonl, rowText } from './build';

function workspace(): { dir: string; resultPath: string; dataPath: string; result: ReturnType<typeof buildResult> } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'od-report-texts-'));
  const dataPath = path.join(dir, 'reviews.jsonl');
  const result = buildResult({ w2s: 30, datasetPath: dataPath });
  const text = datasetJsonl(result);
  fs.writeFileSync(dataPath, text);
  result.dataset.contentHash = sha256Hex(text);
  fs.mkdirSync(path.join(dir, '.overlap'));
  const resultPath = path.join(dir, '.overlap', 'reviews.jsonl.result.json');
  fs.writeFileSync(resultPath, JSON.stringify(result));
  return { dir, resultPath, dataPath, result };
}

describe('reportTexts (standalone HTML report texts, issue 15 item 6)', () => {
  it('reads the texts of an unchanged dataset, by row index', async () => {
    const w = workspace();
    const got = await reportTexts(w.result, w.resultPath);
    expect(got.texts).not.toBeNull();
    expect(got.texts![0]).toBe(rowText(0));
    expect(got.texts![w.result.rows.length - 1]).toBe(rowText(w.result.rows.length - 1));
  });

  it('leaves them out, saying why, when the dataset changed since the analysis', async () => {
    const w = workspace();
    fs.appendFileSync(w.dataPath, JSON.stringify({ text: 'a new row', label: 0 }) + '\n');
    const got = await reportTexts(w.result, w.resultPath);
    expect(got.texts).toBeNull();
    expect(got).toMatchObject({ reason: expect.stringMatching(/changed since the analysis/) });
  });

  it('leaves them out when the result records no hash (a hand-made result must not pull in any local file), unless told', async () => {
    const w = workspace();
    delete w.result.dataset.contentHash;
    expect(await reportTexts(w.result, w.resultPath)).toMatchObject({ texts: null, reason: expect.stringMatching(/records no sha256/) });
    expect((await reportTexts(w.result, w.resultPath, { requireHash: false })).texts?.[0]).toBe(rowText(0));
  });

  it('leaves them out, saying why, when the dataset is gone', async () => {
    const w = workspace();
    fs.rmSync(w.dataPath);
    const got = await reportTexts(w.result, w.resultPath);
    expect(got).toMatchObject({ texts: null, reason: expect.stringMatching(/not there/) });
  });
});

/**
 * bench/tokenizers (issue 16, item 5): our tokenizer.json implementation (src/inference/tokenize/huggingface.ts)
 * against Hugging Face's own pure-JS library `@huggingface/tokenizers` (Tokenizers.js), both scored against the Rust
 * `tokenizers` (through @anush008/tokenizers) on the parity test's tokenizer.json variants and texts
 * (test/integration/models/hfVariants.ts: vocabularies trained on SST-2, then varied component by component).
 * For each variant: texts whose ids equal Rust's, and encode time over all texts, same run. Decides which one the
 * product uses for user ONNX models (README, "Dependencies").
 * Env: TOK_ROUNDS (timing rounds, default 3).
 */
import * as hf from '@anush008/tokenizers';
import { Tokenizer as LibTokenizer } from '@huggingface/tokenizers';
import { loadHfTokenizer } from '../src/inference/tokenize/huggingface';
import { buildVariants, cleanupVariants, haveData, variantTexts } from '../test/integration/models/hfVariants';
import { machineLine, table } from './common';

const ROUNDS = Number(process.env.TOK_ROUNDS ?? 3);

function timeMs(f: () => void): number {
  let best = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = performance.now();
    f();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

async function main(): Promise<void> {
  if (!haveData) {
    console.log('bench/tokenizers: ../shared/data/sst2 is missing; nothing to compare');
    return;
  }
  console.log(machineLine());
  const texts = variantTexts();
  const variants = buildVariants();
  const rows: string[][] = [];
  let oursAll = 0;
  let libAll = 0;
  let oursMs = 0;
  let libMs = 0;
  let total = 0;
  for (const [name, spec] of variants) {
    const json = JSON.stringify(spec);
    const reference = hf.Tokenizer.fromString(json);
    const expected: string[] = [];
    for (const t of texts) expected.push((await reference.encode(t)).getIds().join());
    const ours = loadHfTokenizer(json, { source: name, maxLength: 100_000 });
    let lib: LibTokenizer | null = null;
    let libError = '';
    try {
      lib = new LibTokenizer(JSON.parse(json), {});
    } catch (e) {
      libError = e instanceof Error ? e.message.split('\n')[0]!.slice(0, 60) : String(e);
    }
    let oursOk = 0;
    let libOk = 0;
    texts.forEach((t, i) => {
      if (Array.from(ours.encode(t).ids).join() === expected[i]) oursOk++;
      if (lib) {
        try {
          if (lib.encode(t).ids.join() === expected[i]) libOk++;
        } catch {
          // counted as a mismatch
        }
      }
    });
    const tOurs = timeMs(() => { for (const t of texts) ours.encode(t); });
    const tLib = lib ? timeMs(() => { for (const t of texts) { try { lib!.encode(t); } catch { /* counted above */ } } }) : NaN;
    oursAll += oursOk;
    libAll += libOk;
    total += texts.length;
    oursMs += tOurs;
    if (lib) libMs += tLib;
    rows.push([name.slice(0, 70), `${oursOk}/${texts.length}`, lib ? `${libOk}/${texts.length}` : `fails to load: ${libError}`, tOurs.toFixed(0), lib ? tLib.toFixed(0) : '-']);
  }
  cleanupVariants();
  console.log(table(['variant', 'ours = Rust', 'Tokenizers.js = Rust', 'ours ms', 'Tokenizers.js ms'], rows));
  console.log(`all variants: ours ${oursAll}/${total} texts equal to Rust (${((100 * oursAll) / total).toFixed(1)}%), Tokenizers.js ${libAll}/${total} (${((100 * libAll) / total).toFixed(1)}%); encode time ours ${oursMs.toFixed(0)} ms, Tokenizers.js ${libMs.toFixed(0)} ms (variants it loads)`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

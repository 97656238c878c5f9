import * as path from 'node:path';
import { runAnalysis, type AnalysisInput } from '../core/experiment/analyze';
import { verdictOf } from '../core/experiment/verdict';
import { InputError } from '../core/errors';
import { denseLabels, splitExplicitIds } from '../core/data/labels';
import { activationFileId, readActivationFile, readArrayFile } from '../core/activations/file';
import type { AnalysisResult } from '../core/result/schema';
import { analyzeDatasetFile, resolveInputs } from '../pipeline/analyzeFile';
import { autoStrongSpec, autoWeakSpec } from '../pipeline/autoSpecs';
import { sniffDataset } from '../core/data/file';
import type { FieldMap, HeaderChoice } from '../core/data/types';
import { refuseForeignOutputs, refuseOutputsOverInputs, sameFile } from '../pipeline/outputs';
import { writeResult } from '../pipeline/results';
import type { PipelineOptions } from '../pipeline/types';
import { createLocalInference } from '../inference/local';
import { UsageError } from './errors';
import {
  ANALYSIS_FLAGS, ANALYSIS_HELP, analysisOptionsFrom, deviceFrom, FIELD_FLAGS, fieldOverridesFrom, INFERENCE_FLAGS, INFERENCE_HELP, parse,
  parseModelSpec, pathAndPart, readOptionsFrom, threadsFrom, type FlagValues,
} from './options';
import { describeRead } from '../core/report/readSummary';
import { describeWeakVotes } from '../core/report/votes';
import { stderrProgress } from './progress';
import { REQUEST_OPTIONS } from '../pipeline/request';
import { writeWarning } from './warnings';

const GLOVE_K = REQUEST_OPTIONS.weakVocabulary;

const HELP = `overlap-density analyze: the paper's protocol (probes, PGR, overlap detection, mixing curve, regime)

On a dataset file (JSONL, JSON, CSV/TSV, SST "LABEL TEXT", WRENCH JSON, Parquet):
  overlap-density analyze DATASET [--weak SPEC] [--strong SPEC] [--test-file FILE] [--out result.json]
  --weak SPEC      default: activations, votes or a probability column found in the data, else glove-mean
                   glove-mean[:K] (bundled, default K ${GLOVE_K.default}, K in ${GLOVE_K.min}..${GLOVE_K.max}) | onnx:MODEL.onnx[#tokenizer.json] |
                   npy:FILE | safetensors:FILE[#TENSOR] | field:NAME | votes[:FIELD] | label-model[:FIELD] | prob:FIELD
                   votes: labelling-function votes (default field weak_labels, -1 = abstain) by majority vote;
                   label-model: the same votes through a Dawid-Skene label model fitted on the training rows'
                   votes (never labels or test rows). Both break ties at random with --seed; rows no function
                   votes on get uniform probabilities. The summary says how many rows were tied or uncovered.
  --strong SPEC    default: activations found in the data, else use-lite
                   use-lite (bundled) | onnx:MODEL.onnx[#tokenizer.json] | npy:FILE | safetensors:FILE[#TENSOR] | field:NAME
  --text-field F[,F...]  the text field(s); several are joined with a newline (--text-field title,description)
  --label-field F / --weak-labels-field F / --split-field F   override field detection (otherwise by name, then content)
  --header auto|yes|no|NAME,NAME,...   CSV/TSV first row: detected (default), a header, data, or data with these
                   column names (headerless columns are otherwise column_1, column_2, ...)
  --class-names A,B,...  class names in class id order (otherwise a WRENCH label.json or a classes.txt beside the file);
                   or VALUE=NAME,... naming each label value (1=World,2=Sports,...: labels that count from 1)
  --test-file FILE a labelled test set (otherwise a seeded third of the rows is the test set; for a WRENCH train.json,
                   or a WRENCH folder given as DATASET, the test.json beside it). --test-file none: no test file
  --cache-dir DIR  activation cache (default <data dir>/.overlap/cache)
  --no-history     keep no copy of the result in <data dir>/.overlap/history/<file>/ (default: the newest 20 are kept,
                   unless --out sends the result elsewhere)

On activation arrays (.npy):
  overlap-density analyze --weak-acts W.npy --strong-acts S.npy --labels L.npy [--split SPLIT.npy] [--membership M.npy]
  (split: 0 weak-train, 1 W2S-train, 2 test, default seeded random thirds; membership: 0 easy, 1 hard, 2 overlap)

  --out FILE       result JSON (default: <data dir>/.overlap/<file>.result.json for datasets; required for arrays)
  --force          replace an existing --out that is not an overlap-density file (an earlier result is replaced anyway)
  --quiet          no progress on stderr

${ANALYSIS_HELP}

${INFERENCE_HELP}`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parse({
    args: argv,
    allowPositionals: true,
    options: {
      ...DATASET_FLAGS,
      'weak-acts': { type: 'string' }, 'strong-acts': { type: 'string' }, labels: { type: 'string' },
      split: { type: 'string' }, membership: { type: 'string' },
      out: { type: 'string' }, force: { type: 'boolean' }, quiet: { type: 'boolean' }, 'no-history': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const analysis = analysisOptionsFrom(values);
  const progress = stderrProgress(!values.quiet);
  let result: AnalysisResult;
  let out: string;
  const t0 = performance.now();
  if (values['weak-acts'] || values['strong-acts'] || values.labels) {
    if (positionals.length > 0) throw new UsageError('give either a DATASET or --weak-acts/--strong-acts/--labels, not both');
    if (!values['weak-acts'] || !values['strong-acts'] || !values.labels) {
      throw new UsageError('--weak-acts, --strong-acts and --labels are all required on arrays');
    }
    if (!values.out) throw new UsageError('--out FILE is required on arrays');
    // flags of the dataset form do nothing on arrays: say so rather than run on something else than asked (a test
    // file never read, a --weak model never used)
    const datasetOnly = ['weak', 'strong', 'test-file', 'header', 'text-field', 'label-field', 'weak-labels-field', 'split-field', 'cache-dir', 'no-history']
      .filter((flag) => (values as Record<string, unknown>)[flag] !== undefined);
    if (datasetOnly.length > 0) {
      throw new UsageError(
        `${datasetOnly.map((f) => `--${f}`).join(', ')} ${datasetOnly.length === 1 ? 'applies' : 'apply'} to a DATASET file, not to --weak-acts/--strong-acts/--labels arrays` +
          (datasetOnly.includes('test-file') ? ' (on arrays the test rows are the rows --split marks 2)' : ''),
      );
    }
    out = values.out;
    // each array flag as FILE and, for a .safetensors file, #TENSOR: split once, used by every check and the read
    const files = arrayFiles(values);
    const inputs = ARRAY_FLAGS.flatMap((flag) => (files[flag] ? [{ path: files[flag]!.file, role: `--${flag}` }] : []));
    await refuseOutputsOverInputs([{ path: out, role: '--out' }], inputs);
    // the labels file given as activations: the probes would read the answer
    for (const flag of ['weak-acts', 'strong-acts'] as const) {
      const acts = files[flag]!;
      if (acts.tensor === files.labels!.tensor && await sameFile(acts.file, files.labels!.file)) {
        throw new InputError(`--${flag} is the --labels file: the probes would read the answer; give the ${flag === 'weak-acts' ? 'weak' : 'strong'} model's activations`, { file: acts.file });
      }
    }
    await refuseForeignOutputs([{ path: out, role: '--out' }], Boolean(values.force), 'analysis result');
    const input = await arraysInput(files, values);
    // The analysis's dense products (the probes' and mixing fits' batches, the ridge map, the alignment) on
    // onnxruntime, as for a dataset file: without the kernel, LLM-sized arrays ran on the one-core WebAssembly rows.
    const backend = createLocalInference({ device: deviceFrom(values) ?? 'auto', threads: threadsFrom(values) });
    try {
      result = await runAnalysis(input, analysis, { progress, kernel: backend.alignmentKernel() });
      const device = backend.device();
      if (device !== 'not started') result.device = device;
    } finally {
      await backend.dispose();
    }
  } else {
    if (positionals.length !== 1) throw new UsageError('give one DATASET file (or the --weak-acts form)');
    const options: PipelineOptions = {
      ...(await datasetPipelineOptions(values, positionals[0])), outFile: values.out, force: Boolean(values.force), history: !values['no-history'],
    };
    const backend = createLocalInference({ device: options.device ?? 'auto', threads: options.threads });
    try {
      const outcome = await analyzeDatasetFile(positionals[0], options, { progress, inference: backend });
      result = outcome.result;
      out = outcome.resultPath;
      if (outcome.history && 'error' in outcome.history) process.stderr.write(`overlap-density: warning: result not kept in the history: ${outcome.history.error}\n`);
    } finally {
      await backend.dispose();
    }
  }
  if (values['weak-acts']) await writeResult(out, result);
  const seconds = (performance.now() - t0) / 1000;
  if (result.dataset.read) {
    for (const line of describeRead(result.dataset.read)) process.stdout.write(`read ${line.label}: ${line.text}\n`);
  }
  if (result.weakVotes) process.stdout.write(`votes: ${describeWeakVotes(result.weakVotes)}\n`);
  process.stdout.write(`${summaryLine(result)} · ${seconds.toFixed(1)} s · ${path.relative(process.cwd(), out) || out}\n`);
  process.stdout.write(`${verdictLine(result)}\n`);
  for (const w of result.warnings) writeWarning(w);
  return 0;
}

/** The flags `datasetPipelineOptions` reads: analysis options, models, test file, fields, device, cache. */
export const DATASET_FLAGS = {
  ...ANALYSIS_FLAGS,
  weak: { type: 'string' }, strong: { type: 'string' }, 'test-file': { type: 'string' },
  ...FIELD_FLAGS,
  ...INFERENCE_FLAGS, 'cache-dir': { type: 'string' },
} as const;

/**
 * The pipeline options of a DATASET command line (models, test file, reading, analysis, device, cache), shared by
 * `analyze` and `curate`. Without --weak / --strong, the same `auto` rule as the extension: activations or votes
 * stored in the data first, the bundled encoders otherwise.
 */
export async function datasetPipelineOptions(values: FlagValues, dataset: string): Promise<PipelineOptions> {
  const reading = { fields: fieldOverridesFrom(values), ...readOptionsFrom(values) };
  const detected = values.weak && values.strong ? {} : await detectedFields(dataset, reading);
  return {
    weak: values.weak ? parseModelSpec(values.weak, 'weak') : autoWeakSpec(detected),
    strong: values.strong ? parseModelSpec(values.strong, 'strong') : autoStrongSpec(detected),
    testFile: values['test-file'] === 'none' ? null : values['test-file'],
    ...reading,
    analysis: analysisOptionsFrom(values),
    device: deviceFrom(values),
    threads: threadsFrom(values),
    cacheDir: values['cache-dir'],
  };
}

/** The fields the reader finds in a dataset (or the WRENCH folder's train.json); none when it cannot be sniffed. */
async function detectedFields(datasetPath: string, reading: { fields?: FieldMap; header?: HeaderChoice }): Promise<FieldMap> {
  try {
    const { file } = await resolveInputs(datasetPath, null);
    return (await sniffDataset(file, reading)).fields;
  } catch {
    return {}; // the pipeline reports an unreadable file with its line
  }
}

export function summaryLine(r: AnalysisResult): string {
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const c = r.detection.counts;
  return (
    `weak ${r.accuracy.weak.toFixed(3)} · strong ${r.accuracy.strong.toFixed(3)} · W2S ${r.accuracy.w2s.toFixed(3)} · ` +
    `PGR ${r.pgr === null ? 'n/a' : r.pgr.toFixed(2)} · overlap density ${pct(r.detection.overlapDensity)} ` +
    `(${c.overlap} overlap, ${c.easy} easy-only, ${c.hard} hard-only) · regime ${r.regime.label} · device ${r.device}`
  );
}

/** "verdict: high W2S (PGR 0.67), but overlap rows do not explain it: ..." (core/experiment/verdict.ts). */
export function verdictLine(r: AnalysisResult): string {
  return `verdict: ${verdictOf(r).sentence}`;
}

function integers(data: ArrayLike<number | bigint>, file: string, what: string): Int32Array {
  const out = new Int32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = Number(data[i]);
    if (!Number.isInteger(v)) throw new InputError(`${what} at index ${i} is ${v}, not an integer`, { file });
    if (Math.abs(v) > 2 ** 31 - 1) throw new InputError(`${what} at index ${i} is ${v}, outside the 32-bit integer range`, { file });
    out[i] = v;
  }
  return out;
}

const ARRAY_FLAGS = ['weak-acts', 'strong-acts', 'labels', 'split', 'membership'] as const;
type ArrayFlag = (typeof ARRAY_FLAGS)[number];
type ArrayFiles = Partial<Record<ArrayFlag, { file: string; tensor?: string }>>;

/** The arrays form's files: FILE, or FILE#TENSOR for one tensor of a .safetensors file (pathAndPart). */
function arrayFiles(values: FlagValues): ArrayFiles {
  const out: ArrayFiles = {};
  for (const flag of ARRAY_FLAGS) {
    const raw = values[flag];
    if (raw === undefined) continue;
    const [file, tensor] = pathAndPart(raw);
    out[flag] = tensor === undefined ? { file } : { file, tensor };
  }
  return out;
}

/**
 * --class-names on arrays (readOptionsFrom's list): names in class id order, i.e. ascending label values, or
 * `VALUE=NAME` for each value the labels file holds (labels 1..4 named 1=World,...).
 */
function arraysClassNames(given: string[], dense: { numClasses: number; labelNames?: string[] }, labelsFile: string): string[] {
  const held = dense.labelNames ?? Array.from({ length: dense.numClasses }, (_, c) => String(c));
  const { names: bare, explicitIds } = splitExplicitIds({ source: 'option', names: given });
  let names = given;
  if (explicitIds) {
    const byValue = new Map(explicitIds.map((id, k) => [String(id), bare[k]]));
    if (explicitIds.length !== dense.numClasses || held.some((v) => !byValue.has(v))) {
      throw new UsageError(`--class-names names the label values ${explicitIds.join(', ')} but ${labelsFile} holds ${held.join(', ')}; name each value the file holds once`);
    }
    names = held.map((v) => byValue.get(v)!);
  }
  if (names.length !== dense.numClasses) {
    throw new UsageError(`--class-names gives ${names.length} name${names.length === 1 ? '' : 's'} but ${labelsFile} holds ${dense.numClasses} classes (${held.join(', ')}); give one distinct name per class, in ascending order of the label values`);
  }
  return names;
}

async function arraysInput(files: ArrayFiles, values: FlagValues): Promise<AnalysisInput> {
  const weakIn = files['weak-acts']!;
  const strongIn = files['strong-acts']!;
  const labelsFile = files.labels!.file;
  const weak = await readActivationFile(weakIn.file, { tensor: weakIn.tensor });
  const strong = await readActivationFile(strongIn.file, { tensor: strongIn.tensor });
  const labelsArr = await readArrayFile(labelsFile, files.labels!.tensor);
  if (labelsArr.shape.length !== 1) {
    const oneHot = labelsArr.shape.length === 2 && labelsArr.shape[1] > 1 ? ` (one-hot or probability labels? save one class id per row: numpy.save(path, labels.argmax(1)))` : '';
    throw new InputError(`labels must be 1-D, got shape [${labelsArr.shape}]${oneHot}`, { file: labelsFile });
  }
  // Label values are a class set like in dataset files: dense ids in ascending order, bounded in count.
  const dense = denseLabels(integers(labelsArr.data, labelsFile, 'label'), labelsFile);
  const { labels, numClasses } = dense;
  const given = readOptionsFrom(values).classNames;
  const labelNames = given ? arraysClassNames(given, dense, labelsFile) : dense.labelNames;
  const codes = async (flag: 'split' | 'membership', what: string, max: number) => {
    const at = files[flag];
    if (!at) return undefined;
    const file = at.file;
    const arr = await readArrayFile(file, at.tensor);
    if (arr.shape.length !== 1) throw new InputError(`${what}s must be 1-D, got shape [${arr.shape}]`, { file });
    if (arr.shape[0] !== labels.length) {
      throw new InputError(`${arr.shape[0]} ${what}s but ${labels.length} labels in ${labelsFile}: one per row`, { file });
    }
    const v = integers(arr.data, file, what);
    for (let i = 0; i < v.length; i++) {
      if (v[i] < 0 || v[i] > max) throw new InputError(`${what} at index ${i} is ${v[i]}, expected 0..${max}`, { file });
    }
    return Uint8Array.from(v);
  };
  return {
    weak: { kind: 'activations', acts: weak },
    strong,
    labels,
    numClasses,
    split: await codes('split', 'split code', 2),
    ...(files.split ? { splitSource: files.split.file } : {}),
    membership: await codes('membership', 'membership code', 2),
    // absolute paths: the result is read later from anywhere (report, the editor), not from this working directory
    encoders: {
      weak: { id: activationFileId(weakIn.file, weakIn.tensor), kind: 'activations', dim: weak.cols, source: path.resolve(weakIn.file) },
      strong: { id: activationFileId(strongIn.file, strongIn.tensor), kind: 'activations', dim: strong.cols, source: path.resolve(strongIn.file) },
    },
    dataset: {
      path: path.resolve(labelsFile), format: 'npy', ...(labelNames ? { labelNames } : {}),
      ...(files.split || files.membership ? { inputs: [files.split, files.membership].flatMap((f) => (f ? [path.resolve(f.file)] : [])) } : {}),
    },
    device: 'cpu',
  };
}

/**
 * `npm run package`: one VSIX per platform target (docs/packaging.md).
 *   npm run package                                   every target onnxruntime-node has binaries for
 *   npm run package -- --target linux-x64,win32-x64   only those
 *   options: --out DIR (default out/vsix), --skip-build (reuse dist/, media/webview.js, models/), --keep-staging,
 *            --write-notice (rewrite NOTICE's list of bundled JavaScript libraries instead of failing on a mismatch)
 *
 * Steps: `npm run build:models` (a no-op when up to date) and `node esbuild.js --production`; then for each target a
 * staging folder gets the extension's runtime files and a copy of the production dependencies in which
 * onnxruntime-node keeps only that target's native binaries (the real node_modules is never touched);
 * `vsce package --target T` runs there with the repository's .vscodeignore, which lists what ships. Each VSIX is then
 * opened and checked: every runtime file present, no other platform's binary, no source map, nothing outside the
 * allowed folders. Prints each VSIX's size and top-level contents and writes them to DIR/packages.json.
 * Before packaging, NOTICE's generated section is compared with the npm packages esbuild puts into the bundles.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { buildSync } from 'esbuild';
import type { ModelManifest } from '../src/inference/encoders/manifest';

const ROOT = process.cwd();
const ORT = 'onnxruntime-node';
/** Where onnxruntime-node 1.30 keeps its native binaries: bin/napi-v6/<platform>/<arch>/. */
const ORT_BIN = 'bin/napi-v6';

/** vsce target -> Node's process.platform / process.arch, which onnxruntime-node uses to pick its binary. */
export const TARGETS: Readonly<Record<string, { platform: string; arch: string }>> = {
  'linux-x64': { platform: 'linux', arch: 'x64' },
  'linux-arm64': { platform: 'linux', arch: 'arm64' },
  'win32-x64': { platform: 'win32', arch: 'x64' },
  'win32-arm64': { platform: 'win32', arch: 'arm64' },
  'darwin-x64': { platform: 'darwin', arch: 'x64' },
  'darwin-arm64': { platform: 'darwin', arch: 'arm64' },
};

/** Files that must be in every VSIX (paths inside the archive). Models are added from models/manifest.json. */
const REQUIRED = [
  'extension/package.json',
  'extension/dist/extension.js',
  'extension/dist/worker.js',
  'extension/dist/compute-worker.js',
  'extension/dist/cli.js',
  'extension/media/webview.js',
  'extension/media/report.css',
  'extension/models/manifest.json',
  'extension/models/NOTICE.txt',
  'extension/NOTICE',
  'extension/node_modules/onnxruntime-node/package.json',
  'extension/node_modules/onnxruntime-node/dist/index.js',
  'extension/node_modules/onnxruntime-common/package.json',
  'extension/node_modules/onnxruntime-common/dist/cjs/index.js',
  'extension/node_modules/onnxruntime-common/dist/cjs/package.json',
];

/** Everything in a VSIX lies under one of these (vsce adds the two manifest files at the top). */
const ALLOWED = [
  /^extension\.vsixmanifest$/,
  /^\[Content_Types\]\.xml$/,
  /^extension\/(package\.json|readme\.md|changelog\.md|LICENSE\.txt|NOTICE)$/i,
  /^extension\/(dist|media|models)\//,
  /^extension\/node_modules\/onnxruntime-(node|common)\//,
];

export interface ZipEntry {
  name: string;
  compressedSize: number;
  size: number;
}

/** The entries of a zip file, read from its central directory (VSIX files are plain zips, well under 4 GB). */
export function listZipEntries(zip: Buffer): ZipEntry[] {
  // End of central directory: signature 0x06054b50 within the last 64 KiB + 22 bytes (the comment is at most 64 KiB).
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 65_557); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip file (no end-of-central-directory record)');
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error(`corrupt zip: central directory entry ${i} at byte ${at}`);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    entries.push({
      name: zip.toString('utf8', at + 46, at + 46 + nameLength),
      compressedSize: zip.readUInt32LE(at + 20),
      size: zip.readUInt32LE(at + 24),
    });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Problems with a VSIX's file list for a target (empty when it is right). */
export function checkVsixEntries(names: readonly string[], target: string, modelFiles: readonly string[]): string[] {
  const { platform, arch } = TARGETS[target]!;
  const have = new Set(names);
  const problems: string[] = [];
  const binDir = `extension/node_modules/${ORT}/${ORT_BIN}/${platform}/${arch}/`;
  const required = [...REQUIRED, ...modelFiles.map((f) => `extension/models/${f}`), `${binDir}onnxruntime_binding.node`];
  for (const r of required) if (!have.has(r)) problems.push(`missing ${r}`);
  for (const n of names) {
    const bin = new RegExp(`^extension/node_modules/${ORT}/${ORT_BIN}/([^/]+)/([^/]+)/`).exec(n);
    if (bin && (bin[1] !== platform || bin[2] !== arch)) problems.push(`binary of another platform: ${n}`);
    else if (n.endsWith('.map')) problems.push(`source map: ${n}`);
    else if (!ALLOWED.some((re) => re.test(n))) problems.push(`not a runtime file: ${n}`);
  }
  return problems;
}

/** "extension/node_modules/onnxruntime-node/bin/..." -> "node_modules/onnxruntime-node/"; "extension/dist/x" -> "dist/". */
export function topLevelGroup(name: string): string {
  const inner = name.startsWith('extension/') ? name.slice('extension/'.length) : name;
  const parts = inner.split('/');
  if (parts[0] === 'node_modules' && parts.length > 2) return `node_modules/${parts[1]}/`;
  return parts.length > 1 ? `${parts[0]}/` : inner;
}

export interface PackageReport {
  target: string;
  file: string;
  bytes: number;
  files: number;
  contents: { path: string; files: number; bytes: number; compressedBytes: number }[];
}

function summarise(target: string, file: string, entries: readonly ZipEntry[]): PackageReport {
  const groups = new Map<string, { files: number; bytes: number; compressedBytes: number }>();
  for (const e of entries) {
    const key = topLevelGroup(e.name);
    const g = groups.get(key) ?? { files: 0, bytes: 0, compressedBytes: 0 };
    g.files += 1;
    g.bytes += e.size;
    g.compressedBytes += e.compressedSize;
    groups.set(key, g);
  }
  const contents = [...groups].map(([p, g]) => ({ path: p, ...g })).sort((a, b) => b.compressedBytes - a.compressedBytes);
  return { target, file, bytes: fs.statSync(file).size, files: entries.length, contents };
}

const humanSize = (bytes: number): string => (bytes < 1e6 ? `${(bytes / 1e3).toFixed(1)} kB` : `${(bytes / 1e6).toFixed(1)} MB`);
const mbAndMib = (bytes: number): string => `${humanSize(bytes)} (${(bytes / 2 ** 20).toFixed(1)} MiB)`;

function run(command: string, args: string[], cwd = ROOT): void {
  console.log(`package: ${command} ${args.join(' ')}${cwd === ROOT ? '' : `   (in ${cwd})`}`);
  const r = spawnSync(command, args, { cwd, stdio: 'inherit', env: process.env });
  if (r.error) throw new Error(`package: could not run ${command}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`package: \`${command} ${args.join(' ')}\` failed (exit ${r.status})`);
}

/** Absolute folders of the production dependency closure (npm's own view of it), the project itself excluded. */
function productionDependencies(): string[] {
  const r = spawnSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`package: \`npm ls --omit=dev\` failed (exit ${r.status}): ${r.stderr}`);
  return r.stdout.split('\n').map((l) => l.trim()).filter((l) => l && path.resolve(l) !== ROOT);
}

const fileHash = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/**
 * Copies onnxruntime-node with only the target's binaries. On macOS the package carries libonnxruntime.<version>.dylib
 * and libonnxruntime.1.dylib as two identical files (a symlink in the upstream build that the npm tarball flattens);
 * the binding links @rpath/libonnxruntime.1.dylib, so the versioned copy is dropped when it is byte-identical.
 */
function stageOnnxruntime(src: string, dest: string, target: string): void {
  const { platform, arch } = TARGETS[target]!;
  const keepBin = path.join(src, ORT_BIN, platform, arch);
  if (!fs.existsSync(path.join(keepBin, 'onnxruntime_binding.node'))) {
    const have = fs.readdirSync(path.join(src, ORT_BIN)).flatMap((p) => fs.readdirSync(path.join(src, ORT_BIN, p)).map((a) => `${p}-${a}`));
    throw new Error(`package: ${ORT} has no binary for ${platform}/${arch} (it ships: ${have.join(', ')}); target ${target} cannot be built`);
  }
  fs.cpSync(src, dest, {
    recursive: true,
    filter: (from) => {
      const rel = path.relative(src, from);
      if (rel.split(path.sep)[0] === 'node_modules') return false;
      if (rel.startsWith(ORT_BIN + path.sep)) {
        const inKept = from === keepBin || from.startsWith(keepBin + path.sep);
        const aboveKept = keepBin.startsWith(from + path.sep);
        return inKept || aboveKept;
      }
      return true;
    },
  });
  const dir = path.join(dest, ORT_BIN, platform, arch);
  const soname = path.join(dir, 'libonnxruntime.1.dylib');
  if (fs.existsSync(soname)) {
    for (const f of fs.readdirSync(dir)) {
      const full = path.join(dir, f);
      if (/^libonnxruntime\.\d+\.\d+\.\d+\.dylib$/.test(f) && fs.statSync(full).size === fs.statSync(soname).size && fileHash(full) === fileHash(soname)) {
        fs.rmSync(full);
      }
    }
  }
}

const RUNTIME_TOP_LEVEL = ['package.json', 'README.md', 'CHANGELOG.md', 'LICENSE', 'NOTICE', '.vscodeignore', 'dist', 'media', 'models'];

/** A folder holding the extension as it ships for one target, plus install-only packages that .vscodeignore drops. */
function stage(target: string, deps: readonly string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `overlap-density-vsix-${target}-`));
  for (const name of RUNTIME_TOP_LEVEL) {
    const from = path.join(ROOT, name);
    if (fs.existsSync(from)) fs.cpSync(from, path.join(dir, name), { recursive: true });
  }
  // The install-only dependencies of onnxruntime-node (adm-zip, global-agent, ...) are staged too so that vsce's
  // `npm list --production` sees a complete tree; .vscodeignore keeps them out of the VSIX.
  for (const dep of deps) {
    const dest = path.join(dir, path.relative(ROOT, dep));
    if (path.basename(dep) === ORT) stageOnnxruntime(dep, dest, target);
    else fs.cpSync(dep, dest, { recursive: true, filter: (from) => !path.relative(dep, from).startsWith('node_modules') });
  }
  return dir;
}

function modelFiles(): string[] {
  const manifestPath = path.join(ROOT, 'models', 'manifest.json');
  if (!fs.existsSync(manifestPath)) throw new Error('package: models/manifest.json is missing (run `npm run build:models`)');
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as ModelManifest;
  const files = new Set<string>();
  for (const m of manifest.models) files.add(m.file).add(m.tokenizer.vocabFile);
  for (const f of files) if (!fs.existsSync(path.join(ROOT, 'models', f))) throw new Error(`package: models/${f} (listed in models/manifest.json) is missing; run \`npm run build:models\``);
  return [...files].sort();
}

/**
 * The bundles of esbuild.js (keep in step with it). Every npm package whose code ends up in one of them is listed,
 * with its licence, in NOTICE's generated section.
 */
const BUNDLES: readonly { entry: string; out: string; platform: 'node' | 'browser' }[] = [
  { entry: 'src/extension/main.ts', out: 'dist/extension.js', platform: 'node' },
  { entry: 'src/cli/main.ts', out: 'dist/cli.js', platform: 'node' },
  { entry: 'src/inference/worker.ts', out: 'dist/worker.js', platform: 'node' },
  { entry: 'src/inference/computeWorker.ts', out: 'dist/compute-worker.js', platform: 'node' },
  { entry: 'webview/main.ts', out: 'media/webview.js', platform: 'browser' },
];
const UNBUNDLED = ['vscode', 'onnxruntime-node', 'onnxruntime-common'];

interface BundledPackage {
  name: string;
  version: string;
  license: string;
  author?: string;
  dir: string;
  bundles: Set<string>;
}

/** The npm packages with code in each bundle, from esbuild's metafile of the same entry points (nothing written). */
export function bundledPackages(): BundledPackage[] {
  const byDir = new Map<string, BundledPackage>();
  for (const b of BUNDLES) {
    if (!fs.existsSync(path.join(ROOT, b.entry))) continue;
    const r = buildSync({
      entryPoints: [path.join(ROOT, b.entry)], bundle: true, platform: b.platform, format: b.platform === 'node' ? 'cjs' : 'esm',
      target: b.platform === 'node' ? 'node20' : 'es2022', external: b.platform === 'node' ? UNBUNDLED : [],
      minify: true, write: false, metafile: true, outfile: path.join(os.tmpdir(), 'notice-probe.js'), logLevel: 'silent',
    });
    for (const output of Object.values(r.metafile!.outputs)) {
      for (const input of Object.keys(output.inputs)) {
        const at = input.lastIndexOf('node_modules/');
        if (at < 0) continue;
        const rest = input.slice(at + 'node_modules/'.length).split('/');
        const name = rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
        const dir = path.resolve(ROOT, input.slice(0, at), 'node_modules', name);
        let pkg = byDir.get(dir);
        if (!pkg) {
          const json = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string; license?: string; author?: string | { name: string } };
          const author = typeof json.author === 'string' ? json.author : json.author?.name;
          pkg = { name, version: json.version, license: json.license ?? 'UNKNOWN', ...(author ? { author } : {}), dir, bundles: new Set() };
          byDir.set(dir, pkg);
        }
        pkg.bundles.add(b.out);
      }
    }
  }
  return [...byDir.values()].sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version));
}

/** A package's licence file split into its copyright lines and the licence body. */
function licenceOf(pkg: BundledPackage): { copyright: string[]; body: string } {
  const file = fs.readdirSync(pkg.dir).find((f) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(f));
  if (!file) throw new Error(`package: ${pkg.name}@${pkg.version} is bundled but has no licence file; name its licence in NOTICE by hand and exclude it here`);
  const lines = fs.readFileSync(path.join(pkg.dir, file), 'utf8').replace(/\r\n/g, '\n').split('\n');
  // "Copyright (c) 2015 ...", "Copyright 2010-2026 ...", not a wrapped "COPYRIGHT HOLDERS BE LIABLE" line.
  const isHolder = (l: string) => /^\s*copyright\s+(\(c\)|©|\d)/i.test(l);
  const copyright = lines.filter(isHolder).map((l) => l.trim());
  const body = lines
    .filter((l) => !isHolder(l) && !/^\s*all rights reserved\.?\s*$/i.test(l))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return { copyright, body };
}

export const NOTICE_BEGIN = '---- BEGIN bundled JavaScript libraries (generated by `npm run package -- --write-notice`; do not edit) ----';
export const NOTICE_END = '---- END bundled JavaScript libraries ----';

/** NOTICE's generated section: the bundled packages grouped by identical licence text, each text given once. */
export function noticeSection(pkgs: readonly BundledPackage[]): string {
  const groups = new Map<string, { license: string; body: string; lines: string[] }>();
  for (const p of pkgs) {
    const { copyright, body } = licenceOf(p);
    const key = body.replace(/\s+/g, ' ');
    const g = groups.get(key) ?? { license: p.license, body, lines: [] };
    const holders = copyright.length ? copyright.join('; ') : `no copyright line in its licence file; author: ${p.author ?? 'not named'}`;
    g.lines.push(`  ${p.name} ${p.version} (in ${[...p.bundles].join(', ')}): ${holders}`);
    groups.set(key, g);
  }
  const sorted = [...groups.values()].sort((a, b) => a.license.localeCompare(b.license) || a.body.localeCompare(b.body));
  const out = [NOTICE_BEGIN, ''];
  sorted.forEach((g, i) => {
    out.push(`[${i + 1}] ${g.license}, for:`, ...g.lines, '', ...g.body.split('\n').map((l) => (l ? `    ${l}` : '')), '');
  });
  out.push(NOTICE_END);
  return out.join('\n');
}

/** Checks (or, with write, rewrites) NOTICE's generated section against what the bundles contain. */
export function syncNotice(write: boolean): void {
  const file = path.join(ROOT, 'NOTICE');
  const text = fs.readFileSync(file, 'utf8');
  const begin = text.indexOf(NOTICE_BEGIN);
  const end = text.indexOf(NOTICE_END);
  if (begin < 0 || end < begin) throw new Error(`package: NOTICE has no generated section (lines "${NOTICE_BEGIN}" ... "${NOTICE_END}")`);
  const current = text.slice(begin, end + NOTICE_END.length);
  const wanted = noticeSection(bundledPackages());
  if (current === wanted) return;
  if (!write) {
    throw new Error('package: NOTICE does not list exactly the JavaScript packages bundled in dist/ and media/webview.js (versions and licences); run `npm run package -- --write-notice` and review the diff');
  }
  fs.writeFileSync(file, text.slice(0, begin) + wanted + text.slice(end + NOTICE_END.length));
  console.log('package: NOTICE: bundled-libraries section rewritten');
}

export function defaultTargets(): string[] {
  const bin = path.join(ROOT, 'node_modules', ORT, ORT_BIN);
  return Object.entries(TARGETS)
    .filter(([, t]) => fs.existsSync(path.join(bin, t.platform, t.arch, 'onnxruntime_binding.node')))
    .map(([name]) => name);
}

export function packageTargets(targets: readonly string[], outDir: string, keepStaging = false): PackageReport[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
  const models = modelFiles();
  for (const f of ['dist/extension.js', 'dist/worker.js', 'dist/cli.js', 'media/webview.js', '.vscodeignore', 'NOTICE']) {
    if (!fs.existsSync(path.join(ROOT, f))) throw new Error(`package: ${f} is missing (build first, or drop --skip-build)`);
  }
  const deps = productionDependencies();
  fs.mkdirSync(outDir, { recursive: true });
  const vsce = path.join(ROOT, 'node_modules', '.bin', 'vsce');
  const reports: PackageReport[] = [];
  for (const target of targets) {
    const dir = stage(target, deps);
    const file = path.join(outDir, `${manifest.name}-${target}-${manifest.version}.vsix`);
    try {
      // No repository field: the project has no public repository URL to name. README links stay relative.
      run(vsce, ['package', '--target', target, '--out', file, '--allow-missing-repository', '--no-rewrite-relative-links'], dir);
    } finally {
      if (keepStaging) console.log(`package: staging folder kept: ${dir}`);
      else fs.rmSync(dir, { recursive: true, force: true });
    }
    const entries = listZipEntries(fs.readFileSync(file));
    const problems = checkVsixEntries(entries.map((e) => e.name), target, models);
    if (problems.length) throw new Error(`package: ${path.basename(file)} is wrong:\n  ${problems.slice(0, 30).join('\n  ')}`);
    reports.push(summarise(target, file, entries));
  }
  return reports;
}

function printReport(reports: readonly PackageReport[]): void {
  for (const r of reports) {
    console.log(`\n${r.file}: ${mbAndMib(r.bytes)}, ${r.files} files`);
    for (const c of r.contents) {
      console.log(`  ${c.path.padEnd(34)} ${String(c.files).padStart(4)} files  ${humanSize(c.bytes).padStart(9)}  -> ${humanSize(c.compressedBytes).padStart(9)} compressed`);
    }
  }
  console.log(`\n${'target'.padEnd(14)} size`);
  for (const r of reports) console.log(`${r.target.padEnd(14)} ${mbAndMib(r.bytes)}`);
}

function main(): void {
  const { values } = parseArgs({
    options: {
      target: { type: 'string' },
      out: { type: 'string' },
      'skip-build': { type: 'boolean' },
      'keep-staging': { type: 'boolean' },
      'write-notice': { type: 'boolean' },
    },
  });
  const available = defaultTargets();
  const targets = values.target ? values.target.split(',').map((t) => t.trim()).filter(Boolean) : available;
  for (const t of targets) {
    if (!TARGETS[t]) throw new Error(`package: unknown target ${t} (known: ${Object.keys(TARGETS).join(', ')})`);
  }
  if (!values['skip-build']) {
    run('npm', ['run', 'build:models']);
    run(process.execPath, ['esbuild.js', '--production']);
  }
  syncNotice(values['write-notice'] ?? false);
  const outDir = path.resolve(values.out ?? path.join('out', 'vsix'));
  const reports = packageTargets(targets, outDir, values['keep-staging'] ?? false);
  printReport(reports);
  fs.writeFileSync(path.join(outDir, 'packages.json'), `${JSON.stringify(reports.map((r) => ({ ...r, file: path.basename(r.file) })), null, 2)}\n`);
}

if (require.main === module) {
  try {
    main();
  } catch (e) {
    console.error((e as Error).message);
    process.exit(1);
  }
}

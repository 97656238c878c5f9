/**
 * The layers point one way (issue 16): an import scan of src/ (type-only imports count: they couple the code as
 * much) that finds no cycle between the top-level layers (core, inference, pipeline, protocol, cli, extension) and
 * none between core's folders, and that core imports nothing outside core (no vscode, no onnxruntime-node).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(__dirname, '..', '..', '..', 'src');

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...tsFiles(p));
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

/** Every module specifier of a file: static imports and exports (type-only too) and dynamic import(). */
export function specifiers(text: string): string[] {
  const out: string[] = [];
  const re = /(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) out.push((m[1] ?? m[2] ?? m[3])!);
  return out;
}

interface Edge { from: string; to: string; file: string; spec: string }

/** Edges between groups: `group(file)` names the unit (a layer, or a core folder). */
function edges(group: (rel: string) => string | undefined): Edge[] {
  const out: Edge[] = [];
  for (const file of tsFiles(SRC)) {
    const rel = path.relative(SRC, file);
    const from = group(rel);
    if (!from) continue;
    for (const spec of specifiers(fs.readFileSync(file, 'utf8'))) {
      if (!spec.startsWith('.')) continue;
      const target = path.relative(SRC, path.resolve(path.dirname(file), spec));
      const to = group(target);
      if (to && to !== from) out.push({ from, to, file: rel, spec });
    }
  }
  return out;
}

/** One cycle of the graph as a list of nodes, or null when it has none. */
function findCycle(es: readonly Edge[]): string[] | null {
  const next = new Map<string, Set<string>>();
  for (const e of es) {
    if (!next.has(e.from)) next.set(e.from, new Set());
    next.get(e.from)!.add(e.to);
  }
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): string[] | null => {
    state.set(n, 'open');
    stack.push(n);
    for (const m of next.get(n) ?? []) {
      if (state.get(m) === 'open') return [...stack.slice(stack.indexOf(m)), m];
      if (!state.has(m)) {
        const c = visit(m);
        if (c) return c;
      }
    }
    stack.pop();
    state.set(n, 'done');
    return null;
  };
  for (const n of next.keys()) {
    if (!state.has(n)) {
      const c = visit(n);
      if (c) return c;
    }
  }
  return null;
}

function explain(cycle: string[] | null, es: readonly Edge[]): string {
  if (!cycle) return 'no cycle';
  const steps = cycle.slice(1).map((to, i) => {
    const e = es.find((x) => x.from === cycle[i] && x.to === to)!;
    return `${cycle[i]} -> ${to} (${e.file} imports ${e.spec})`;
  });
  return steps.join('; ');
}

const layer = (rel: string) => rel.split(path.sep)[0]!.replace(/\.ts$/, '');
const coreFolder = (rel: string) => {
  const parts = rel.split(path.sep);
  if (parts[0] !== 'core') return undefined;
  return parts.length > 2 ? `core/${parts[1]}` : `core/${parts[1]!.replace(/\.ts$/, '')}`;
};

describe('import graph', () => {
  it('reads import specifiers of every form', () => {
    const text = [
      "import type { A } from '../a';",
      "import * as b from './b';",
      "export { c } from '../c/index';",
      "const d = await import('../d');",
      "import './side-effect';",
      "import {\n  e,\n  f,\n} from '../ef';",
    ].join('\n');
    expect(specifiers(text)).toEqual(['../a', './b', '../c/index', '../ef', '../d', './side-effect'].sort((x, y) => text.indexOf(`'${x}'`) - text.indexOf(`'${y}'`)));
  });

  it('finds a cycle when there is one (the check can fail)', () => {
    const es: Edge[] = [
      { from: 'a', to: 'b', file: 'a.ts', spec: './b' },
      { from: 'b', to: 'c', file: 'b.ts', spec: './c' },
      { from: 'c', to: 'a', file: 'c.ts', spec: './a' },
    ];
    expect(findCycle(es)).toEqual(['a', 'b', 'c', 'a']);
    expect(findCycle(es.slice(0, 2))).toBeNull();
  });

  it('has no cycle between the top-level layers', () => {
    const es = edges(layer);
    const cycle = findCycle(es);
    expect(cycle, explain(cycle, es)).toBeNull();
  });

  it("has no cycle between core's folders", () => {
    const es = edges(coreFolder);
    const cycle = findCycle(es);
    expect(cycle, explain(cycle, es)).toBeNull();
  });

  it('keeps core pure: no imports out of core, no vscode, no onnxruntime', () => {
    const bad: string[] = [];
    for (const file of tsFiles(path.join(SRC, 'core'))) {
      for (const spec of specifiers(fs.readFileSync(file, 'utf8'))) {
        const outside = spec.startsWith('.') && !path.resolve(path.dirname(file), spec).startsWith(path.join(SRC, 'core'));
        if (outside || spec === 'vscode' || spec.startsWith('onnxruntime')) bad.push(`${path.relative(SRC, file)}: ${spec}`);
      }
    }
    expect(bad).toEqual([]);
  });
});

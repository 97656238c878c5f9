/**
 * What each open report panel needs to come back after a reload, kept in a small JSON file in the extension's
 * storage folder on the extension host's disk: viewType -> panel title -> state (the results file). The panel's own
 * webview state is the first choice; this is the fallback for when a reload loses it (seen in VS Code for the Web /
 * code-server, where the workbench's shutdown cannot finish saving: the selection panel came back empty).
 * Written at once and atomically; read defensively (own properties only, bounded), since it is a file on disk.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { PanelStateStore } from './host';

/** At most this many titles are kept per panel kind (the oldest go first). */
const KEEP = 40;

export class FilePanelStore implements PanelStateStore {
  private readonly file: string | undefined;

  constructor(dir: string | undefined) {
    this.file = dir ? path.join(dir, 'report-panels.json') : undefined;
  }

  get(viewType: string, title: string): unknown {
    const table = this.read().get(viewType);
    return table?.get(title);
  }

  set(viewType: string, title: string, state: unknown): void {
    if (!this.file) return;
    const all = this.read();
    const table = all.get(viewType) ?? new Map<string, unknown>();
    table.delete(title); // re-inserted last: the newest
    table.set(title, state);
    while (table.size > KEEP) table.delete(table.keys().next().value as string);
    all.set(viewType, table);
    const json = JSON.stringify(Object.fromEntries([...all].map(([k, t]) => [k, Object.fromEntries(t)])));
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      const tmp = `${this.file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, json);
      fs.renameSync(tmp, this.file);
    } catch {
      // A read-only or missing storage folder: panels then restore from their webview state only.
    }
  }

  private read(): Map<string, Map<string, unknown>> {
    const out = new Map<string, Map<string, unknown>>();
    if (!this.file) return out;
    let parsed: unknown;
    try {
      const text = fs.readFileSync(this.file, 'utf8');
      if (text.length > 1_000_000) return out;
      parsed = JSON.parse(text);
    } catch {
      return out;
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return out;
    for (const [viewType, table] of Object.entries(parsed as Record<string, unknown>)) {
      if (!table || typeof table !== 'object' || Array.isArray(table)) continue;
      const m = new Map<string, unknown>();
      for (const [title, state] of Object.entries(table as Record<string, unknown>).slice(-KEEP)) m.set(title, state);
      out.set(viewType, m);
    }
    return out;
  }
}

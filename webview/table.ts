/**
 * The samples table: W2S-train rows with text snippet, label, pseudo-label, confidence, alignment and category;
 * sortable by clicking a header, filtered by category / flag / text, paged (the DOM holds one page, so 100k rows
 * cost one query, not 100k elements). Texts are fetched from the host per page. Click a row to reveal it in the
 * editor; the checkbox flags it. Keyboard: one row is in the Tab order (roving tabindex); arrow keys, Home/End and
 * Page Up/Down move between rows (and pages), Enter reveals the row, Space flags it; sortable headers take Enter.
 */
import '@vscode-elements/elements/dist/vscode-table/index.js';
import '@vscode-elements/elements/dist/vscode-table-header/index.js';
import '@vscode-elements/elements/dist/vscode-table-header-cell/index.js';
import '@vscode-elements/elements/dist/vscode-table-body/index.js';
import '@vscode-elements/elements/dist/vscode-table-row/index.js';
import '@vscode-elements/elements/dist/vscode-table-cell/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import { CATEGORY_NAMES } from '../src/core/detect/types';
import type { ReportColumns } from '../src/protocol/messages';
import { fmt, h, labelField } from './dom';
import type { ReportHost, WebviewState } from './host';
import { INFORMATIVE_ORDER, queryRows, type CategoryFilter, type SortKey } from './query';

export const PAGE_SIZE = 50;
const SNIPPET_CHARS = 160;
const CATEGORY_LABEL = ['easy-only', 'hard-only', 'overlap'];

type TableState = WebviewState['table'];

/** Column headers in plain words; `help` is the header's tooltip with the precise meaning. */
/** Fixed widths for the short columns (a 6-digit row number, "hard-only", a 0.000 score fit at any panel width); the text takes the rest. */
const COLUMNS: { key: SortKey | 'text' | 'flag'; title: string; help: string; width: string }[] = [
  { key: 'flag', title: '⚑', help: 'flag a row to find it again (kept beside the dataset)', width: '28px' },
  { key: 'row', title: 'row', help: 'row number in the dataset, counting from 1 (hover a row for its line)', width: '54px' },
  { key: 'text', title: 'text', help: 'the row text', width: 'auto' },
  { key: 'label', title: 'label', help: 'the true label, by class name', width: '10%' },
  { key: 'pseudo', title: 'weak guess', help: "the weak model's label for the row (its pseudo-label, what the strong model is trained on)", width: '10%' },
  { key: 'confidence', title: 'weak conf.', help: "the weak model's confidence, 0 to 1 (top class probability minus the runner-up's); under the cut-off t1 the row is hard-only", width: '54px' },
  { key: 'alignment', title: 'like hard', help: 'similarity to the hard-only rows (the stage-2 score); at or above the cut-off t2 a non-hard row is overlap', width: '54px' },
  { key: 'category', title: 'category', help: 'easy-only: the weak model handles it; hard-only: only the strong model can; overlap: both kinds of pattern', width: '82px' },
];

export interface TableContext {
  host: ReportHost;
  columns: ReportColumns;
  /** The name a person reads for a class id. */
  className: (id: number) => string;
  categories: () => Uint8Array;
  flagged: Set<number>;
  textsUnavailable: string | null;
  onStateChange: (s: TableState) => void;
  onError: (message: string) => void;
}

export class SamplesTable {
  readonly element: HTMLElement;
  private state: TableState;
  private rows: Int32Array = new Int32Array(0);
  private textMatches: Set<number> | null = null;
  private readonly texts = new Map<number, string | null>();
  private readonly body: HTMLElement;
  private readonly pager: HTMLElement;
  private readonly headerCells = new Map<string, HTMLElement>();
  private categoryCells: { k: number; cell: HTMLElement }[] = [];
  private searchSeq = 0;
  private searchTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly orderNote: HTMLElement;
  private readonly exportStatus: HTMLElement = h('span', { class: 'muted', id: 'export-rows-status', role: 'status' });
  /** Position on the page of the row that is in the Tab order. */
  private activeRow = 0;

  constructor(private readonly ctx: TableContext, initial: TableState) {
    this.state = { ...initial };
    // `label`: the aria-label of the element's inner control (an aria-label on the element itself does not reach it).
    const select = h('vscode-single-select', { id: 'filter-category', label: 'show rows of category' },
      ...(['all', 'overlap', 'easy', 'hard', 'flagged'] as CategoryFilter[]).map((c) =>
        h('vscode-option', { value: c, selected: c === this.state.category }, c === 'all' ? 'all categories' : c === 'flagged' ? 'flagged rows' : c === 'overlap' ? 'overlap' : `${c}-only`)),
    );
    select.addEventListener('change', () => {
      this.state.category = (select as unknown as { value: CategoryFilter }).value;
      this.state.page = 0;
      this.refresh();
    });
    const text = labelField(h('vscode-textfield', {
      id: 'filter-text',
      placeholder: ctx.textsUnavailable ? 'text filter unavailable' : 'filter by text',
      value: this.state.text,
      disabled: !!ctx.textsUnavailable,
    }), 'filter rows by text');
    text.addEventListener('input', () => {
      this.state.text = (text as unknown as { value: string }).value;
      clearTimeout(this.searchTimer);
      this.searchTimer = setTimeout(() => void this.search(), 200);
    });
    this.body = h('vscode-table-body', { slot: 'body' });
    const header = h('vscode-table-header', { slot: 'header' });
    for (const c of COLUMNS) {
      const cell = h('vscode-table-header-cell', { 'data-key': c.key, title: c.help, ...(c.key === 'flag' ? { 'aria-label': 'flag' } : {}) }, c.title);
      if (c.key !== 'text' && c.key !== 'flag') {
        cell.classList.add('sortable');
        cell.title = `${c.help}. Click (or Enter) to sort by ${c.title}.`;
        cell.tabIndex = 0;
        cell.addEventListener('click', () => this.sortBy(c.key as SortKey));
        cell.addEventListener('keydown', (e) => {
          if (e.key !== 'Enter' && e.key !== ' ') return;
          e.preventDefault();
          this.sortBy(c.key as SortKey);
        });
      }
      this.headerCells.set(c.key, cell);
      header.append(cell);
    }
    const help = h('p', { class: 'muted keys', id: 'table-keys' },
      'Keyboard: Tab into the table, arrow keys move between rows, Enter opens the row in the editor, Space flags it; Enter on a column header sorts by it.');
    const table = h('vscode-table', { id: 'samples-table', zebra: true, 'bordered-rows': true, resizable: true, 'min-column-width': '28px', 'aria-label': 'Samples: W2S-train rows', 'aria-describedby': 'table-keys' }, header, this.body);
    (table as unknown as { columns: string[] }).columns = COLUMNS.map((c) => c.width);
    this.pager = h('div', { class: 'pager', id: 'pager', role: 'group', 'aria-label': 'table pages' });
    this.orderNote = h('div', { class: 'muted order-note', id: 'table-order' });
    const exportCsv = h('vscode-button', { id: 'export-rows-csv', secondary: true, title: 'the rows the filters show, in this order, with text, labels, scores and line numbers' }, 'Export these rows (CSV)');
    exportCsv.addEventListener('click', () => void this.exportRows('csv'));
    const exportJsonl = h('vscode-button', { id: 'export-rows-jsonl', secondary: true, title: 'the rows the filters show, in this order, with text, labels, scores and line numbers' }, 'Export these rows (JSONL)');
    exportJsonl.addEventListener('click', () => void this.exportRows('jsonl'));
    this.element = h('div', { class: 'samples' },
      h('div', { class: 'toolbar', role: 'group', 'aria-label': 'filter the rows' }, select, text, ctx.textsUnavailable ? h('span', { class: 'muted' }, ctx.textsUnavailable) : null),
      h('div', { class: 'toolbar', role: 'group', 'aria-label': 'export the rows' }, exportCsv, exportJsonl, this.exportStatus),
      this.orderNote,
      help,
      table,
      this.pager,
    );
    if (this.state.text && !ctx.textsUnavailable) void this.search();
    else this.refresh();
  }

  /** Re-run the query (categories changed, a flag changed) and show the current page. */
  refresh(): void {
    const cats = this.ctx.categories();
    this.rows = queryRows(this.ctx.columns, cats, this.ctx.flagged, {
      category: this.state.category,
      textMatches: this.textMatches,
      sort: this.state.sort,
      descending: this.state.descending,
    });
    const pages = Math.max(1, Math.ceil(this.rows.length / PAGE_SIZE));
    this.state.page = Math.min(this.state.page, pages - 1);
    this.render();
    this.ctx.onStateChange({ ...this.state });
  }

  /** While a threshold moves: recolour the visible category cells; re-query only when the view depends on it. */
  categoriesChanged(): void {
    if (this.state.category !== 'all' && this.state.category !== 'flagged') return this.refresh();
    if (this.state.sort === 'category') return this.refresh();
    const cats = this.ctx.categories();
    for (const { k, cell } of this.categoryCells) setCategoryCell(cell, cats[k]);
  }

  get visibleRowCount(): number {
    return this.rows.length;
  }

  private sortBy(key: SortKey): void {
    if (this.state.sort === key) this.state.descending = !this.state.descending;
    else {
      this.state.sort = key;
      this.state.descending = key === 'confidence' || key === 'alignment';
    }
    this.state.page = 0;
    this.refresh();
  }

  private async search(): Promise<void> {
    const seq = ++this.searchSeq;
    const q = this.state.text.trim();
    if (!q) {
      this.textMatches = null;
    } else {
      try {
        const { indices } = await this.ctx.host.request('search', { query: q });
        if (seq !== this.searchSeq) return;
        this.textMatches = new Set(indices);
      } catch (e) {
        this.ctx.onError(`text filter: ${(e as Error).message}`);
        this.textMatches = null;
      }
    }
    this.state.page = 0;
    this.refresh();
  }

  private render(): void {
    const { columns, className } = this.ctx;
    const cats = this.ctx.categories();
    const start = this.state.page * PAGE_SIZE;
    const page = this.rows.subarray(start, start + PAGE_SIZE);
    const label = (v: number) => (v < 0 ? '—' : className(v));
    this.categoryCells = [];
    const missing: number[] = [];
    const rows: HTMLElement[] = [];
    for (const k of page) {
      const index = columns.index[k];
      // Out of the Tab order (Space on the row flags it), or Tab would stop on 50 checkboxes before the pager.
      // Its name is slotted text, visually hidden (the checkbox's label would otherwise show it).
      const flag = h('vscode-checkbox', { checked: this.ctx.flagged.has(index), class: 'flag', tabindex: -1 }, h('span', { class: 'visually-hidden' }, `flag row ${index + 1}`));
      flag.addEventListener('click', (e) => e.stopPropagation());
      flag.addEventListener('change', () => void this.setFlag(index, (flag as unknown as { checked: boolean }).checked));
      const textCell = h('vscode-table-cell', { class: 'text' });
      const known = this.texts.get(index);
      textCell.textContent = known === undefined ? '…' : known ?? '(no text)';
      if (known === undefined) missing.push(index);
      const catCell = h('vscode-table-cell', { class: 'category' });
      setCategoryCell(catCell, cats[k]);
      this.categoryCells.push({ k, cell: catCell });
      const line = columns.line[k];
      const row = h('vscode-table-row', { 'data-row': index, 'data-line': line, class: 'sample', title: line > 0 ? `line ${line}: click to reveal in the editor` : 'click to reveal in the editor' },
        h('vscode-table-cell', {}, flag),
        h('vscode-table-cell', { class: 'num' }, String(index + 1)),
        textCell,
        h('vscode-table-cell', {}, label(columns.label[k])),
        h('vscode-table-cell', {}, label(columns.pseudoLabel[k])),
        h('vscode-table-cell', { class: 'num' }, fmt.score(columns.confidence[k])),
        h('vscode-table-cell', { class: 'num' }, fmt.score(columns.alignment[k])),
        catCell,
      );
      row.dataset.textFor = String(index);
      row.setAttribute('aria-label', `row ${index + 1}${line > 0 ? `, line ${line}` : ''}`);
      row.addEventListener('click', () => void this.reveal(index));
      const position = rows.length;
      row.addEventListener('keydown', (e) => this.rowKey(e, position, index, flag));
      row.addEventListener('focus', () => this.setActiveRow(position));
      rows.push(row);
    }
    this.activeRow = Math.min(this.activeRow, Math.max(0, rows.length - 1));
    rows.forEach((r, i) => (r.tabIndex = i === this.activeRow ? 0 : -1));
    this.body.replaceChildren(...rows);
    if (rows.length === 0) this.body.append(h('vscode-table-row', {}, h('vscode-table-cell', { class: 'muted' }, 'no rows match the filters')));
    for (const [key, cell] of this.headerCells) {
      cell.classList.toggle('sorted', key === this.state.sort);
      cell.dataset.dir = key === this.state.sort ? (this.state.descending ? 'desc' : 'asc') : '';
      if (cell.classList.contains('sortable')) cell.setAttribute('aria-sort', key !== this.state.sort ? 'none' : this.state.descending ? 'descending' : 'ascending');
    }
    this.renderPager();
    this.renderOrderNote();
    if (missing.length && !this.ctx.textsUnavailable) void this.fetchTexts(missing);
  }

  private rowElements(): HTMLElement[] {
    return [...this.body.querySelectorAll<HTMLElement>('vscode-table-row.sample')];
  }

  private setActiveRow(position: number): void {
    this.activeRow = position;
    this.rowElements().forEach((r, i) => (r.tabIndex = i === position ? 0 : -1));
  }

  private focusRow(position: number): void {
    const rows = this.rowElements();
    if (!rows.length) return;
    const p = Math.max(0, Math.min(rows.length - 1, position));
    this.setActiveRow(p);
    rows[p].focus();
    rows[p].scrollIntoView({ block: 'nearest' });
  }

  /** A page change from the keyboard: show the page, then focus a row on it (first, or last when going back). */
  private keyPage(page: number, position: 'first' | 'last'): void {
    const pages = Math.max(1, Math.ceil(this.rows.length / PAGE_SIZE));
    if (page < 0 || page >= pages || page === this.state.page) return;
    this.state.page = page;
    this.activeRow = 0;
    this.render();
    this.ctx.onStateChange({ ...this.state });
    this.focusRow(position === 'first' ? 0 : PAGE_SIZE - 1);
  }

  private rowKey(e: KeyboardEvent, position: number, index: number, flag: HTMLElement): void {
    const last = this.rowElements().length - 1;
    switch (e.key) {
      case 'Enter':
        void this.reveal(index);
        break;
      case ' ': {
        const box = flag as unknown as { checked: boolean };
        box.checked = !box.checked;
        void this.setFlag(index, box.checked);
        break;
      }
      case 'ArrowDown':
        if (position < last) this.focusRow(position + 1);
        else this.keyPage(this.state.page + 1, 'first');
        break;
      case 'ArrowUp':
        if (position > 0) this.focusRow(position - 1);
        else this.keyPage(this.state.page - 1, 'last');
        break;
      case 'Home':
        this.focusRow(0);
        break;
      case 'End':
        this.focusRow(last);
        break;
      case 'PageDown':
        this.keyPage(this.state.page + 1, 'first');
        break;
      case 'PageUp':
        this.keyPage(this.state.page - 1, 'first');
        break;
      default:
        return;
    }
    e.preventDefault();
  }

  private renderPager(): void {
    const total = this.rows.length;
    const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
    const start = total === 0 ? 0 : this.state.page * PAGE_SIZE + 1;
    const end = Math.min(total, (this.state.page + 1) * PAGE_SIZE);
    const go = (p: number) => () => {
      this.state.page = Math.max(0, Math.min(pages - 1, p));
      this.render();
      this.ctx.onStateChange({ ...this.state });
    };
    const button = (label: string, id: string, page: number, disabled: boolean) => {
      const b = h('vscode-button', { secondary: true, id, disabled }, label);
      b.addEventListener('click', go(page));
      return b;
    };
    this.pager.replaceChildren(
      button('« first', 'page-first', 0, this.state.page === 0),
      button('‹ previous', 'page-prev', this.state.page - 1, this.state.page === 0),
      h('span', { id: 'page-info' }, `rows ${fmt.num(start)}–${fmt.num(end)} of ${fmt.num(total)} · page ${this.state.page + 1} of ${fmt.num(pages)}`),
      button('next ›', 'page-next', this.state.page + 1, this.state.page >= pages - 1),
      button('last »', 'page-last', pages - 1, this.state.page >= pages - 1),
    );
  }

  /** States the order (what "most informative first" means), with a way back to it after a header click. */
  private renderOrderNote(): void {
    if (this.state.sort === 'informative') {
      this.orderNote.replaceChildren(`Order: ${INFORMATIVE_ORDER}${this.state.descending ? ' (reversed)' : ''}.`);
      return;
    }
    const title = COLUMNS.find((c) => c.key === this.state.sort)?.title ?? this.state.sort;
    const back = h('a', { href: '#', id: 'sort-informative' }, 'most informative first');
    back.addEventListener('click', (e) => {
      e.preventDefault();
      this.state.sort = 'informative';
      this.state.descending = false;
      this.state.page = 0;
      this.refresh();
    });
    this.orderNote.replaceChildren(`Order: by ${title}, ${this.state.descending ? 'largest' : 'smallest'} first · back to `, back);
  }

  /** Saves the rows the filters show, in the table's order (all pages). */
  private async exportRows(format: 'csv' | 'jsonl'): Promise<void> {
    const cats = this.ctx.categories();
    const indices = new Int32Array(this.rows.length);
    const categories = new Uint8Array(this.rows.length);
    this.rows.forEach((k, i) => {
      indices[i] = this.ctx.columns.index[k];
      categories[i] = cats[k];
    });
    const what = this.state.category === 'all' ? (this.state.text.trim() ? 'filtered' : 'all') : this.state.text.trim() ? `${this.state.category}-filtered` : this.state.category;
    try {
      const { path, rows } = await this.ctx.host.request('exportRows', { format, indices, categories, what });
      this.exportStatus.textContent = path ? `saved ${fmt.num(rows)} rows to ${path}` : '';
    } catch (e) {
      this.ctx.onError(`export rows: ${(e as Error).message}`);
    }
  }

  private async fetchTexts(indices: number[]): Promise<void> {
    try {
      const { texts } = await this.ctx.host.request('texts', { indices, maxChars: SNIPPET_CHARS });
      indices.forEach((i, j) => this.texts.set(i, texts[j]));
    } catch (e) {
      this.ctx.onError(`row texts: ${(e as Error).message}`);
      indices.forEach((i) => this.texts.set(i, null));
    }
    for (const row of this.body.querySelectorAll<HTMLElement>('vscode-table-row.sample')) {
      const index = Number(row.dataset.row);
      if (!indices.includes(index)) continue;
      const cell = row.querySelector('.text');
      if (cell) cell.textContent = this.texts.get(index) ?? '(no text)';
    }
  }

  private async reveal(index: number): Promise<void> {
    try {
      await this.ctx.host.request('reveal', { index });
    } catch (e) {
      this.ctx.onError(`reveal row ${index + 1}: ${(e as Error).message}`);
    }
  }

  private async setFlag(index: number, flagged: boolean): Promise<void> {
    try {
      const reply = await this.ctx.host.request('flag', { index, flagged });
      this.setFlags(reply.flagged);
    } catch (e) {
      this.ctx.onError(`flag row ${index + 1}: ${(e as Error).message}`);
    }
  }

  /** The host's flag list changed (this table, the editor's Flag command, or a restore). */
  setFlags(flagged: number[]): void {
    this.ctx.flagged.clear();
    for (const i of flagged) this.ctx.flagged.add(i);
    if (this.state.category === 'flagged') this.refresh();
    else {
      for (const box of this.body.querySelectorAll<HTMLElement>('vscode-checkbox.flag')) {
        const row = box.closest<HTMLElement>('vscode-table-row');
        (box as unknown as { checked: boolean }).checked = this.ctx.flagged.has(Number(row?.dataset.row));
      }
    }
  }
}

function setCategoryCell(cell: HTMLElement, code: number): void {
  const name = CATEGORY_NAMES[code];
  cell.textContent = name ? CATEGORY_LABEL[code] : '—';
  cell.dataset.category = name ?? '';
}

/** Builds elements with text content only (never innerHTML), so row texts from a dataset cannot inject markup. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Record<string, string | number | boolean | undefined>,
  ...children: (Node | string | null | undefined | false)[]
): HTMLElementTagNameMap[K];
export function h(tag: string, attrs?: Record<string, string | number | boolean | undefined>, ...children: (Node | string | null | undefined | false)[]): HTMLElement;
export function h(tag: string, attrs: Record<string, string | number | boolean | undefined> = {}, ...children: (Node | string | null | undefined | false)[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

/**
 * Names a @vscode-elements text field: its `label` property becomes the inner <input>'s aria-label (an aria-label
 * on the element itself does not reach the input, and `label` is not an attribute of that element).
 */
export function labelField<T extends HTMLElement>(field: T, label: string): T {
  (field as unknown as { label: string }).label = label;
  return field;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`report: element #${id} is missing`);
  return el as T;
}

export const fmt = {
  pct: (v: number) => `${(v * 100).toFixed(1)}%`,
  acc: (v: number) => v.toFixed(3),
  num: (v: number) => v.toLocaleString('en-US'),
  score: (v: number) => (Number.isFinite(v) ? v.toFixed(3) : '—'),
  opt: (v: number | null | undefined, digits = 2) => (v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(digits)),
};

/**
 * The page's one way of making elements. Text goes in as Text nodes, so a string from the host
 * (a process name, a disk, a command line) is always shown as written and never read as markup:
 * nothing in the page sets innerHTML.
 */
export interface Props {
  class?: string;
  title?: string;
  /** data-* attributes (without the prefix). */
  data?: Record<string, string>;
  attrs?: Record<string, string>;
}

export type Child = Node | string | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props?: Props,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props?.class) el.className = props.class;
  if (props?.title !== undefined) el.title = props.title;
  for (const [k, v] of Object.entries(props?.data ?? {})) el.dataset[k] = v;
  for (const [k, v] of Object.entries(props?.attrs ?? {})) el.setAttribute(k, v);
  append(el, children);
  return el;
}

export function append(el: Element, children: Child[]): void {
  for (const c of children) {
    if (c === undefined || c === false) continue;
    el.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
}

/** The element with this id in the page; the page's markup is the package's own, so a missing one is a build error. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el as T;
}

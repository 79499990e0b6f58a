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

/** Sets a node's text only when it differs: an unchanged node costs no style, layout or paint. */
export function setText(node: Node, text: string): void {
  if (node.textContent !== text) node.textContent = text;
}

/** Sets an element's class attribute only when it differs. */
export function setClass(el: Element, cls: string): void {
  if (el.className !== cls) el.className = cls;
}

// Node.ELEMENT_NODE and Node.TEXT_NODE, spelt out so that the diff runs on any DOM-shaped tree.
const ELEMENT_NODE = 1;
const TEXT_NODE = 3;

/**
 * Makes `live`'s children look like `fresh` (elements made by `h`, not in the page), touching only
 * what differs: a text whose characters changed, an attribute, an element of another tag. What is
 * unchanged stays the same node, so the browser restyles, lays out and paints only the changes
 * (and a selection or hover on an unchanged node survives the next frame). `fresh` is emptied.
 */
export function patchChildren(live: Node, fresh: Node): void {
  let l = live.firstChild;
  let f = fresh.firstChild;
  while (f) {
    const next = f.nextSibling;
    if (!l) live.appendChild(f);
    else if (l.nodeType === TEXT_NODE && f.nodeType === TEXT_NODE) {
      if (l.nodeValue !== f.nodeValue) l.nodeValue = f.nodeValue;
      l = l.nextSibling;
    } else if (l.nodeType === ELEMENT_NODE && l.nodeName === f.nodeName) {
      patchAttributes(l as Element, f as Element);
      patchChildren(l, f);
      l = l.nextSibling;
    } else {
      const after = l.nextSibling;
      live.replaceChild(f, l);
      l = after;
    }
    f = next;
  }
  while (l) {
    const after = l.nextSibling;
    live.removeChild(l);
    l = after;
  }
}

function patchAttributes(live: Element, fresh: Element): void {
  for (const attr of fresh.attributes) {
    if (live.getAttribute(attr.name) === attr.value) continue;
    // Through the CSSOM: the Content-Security-Policy refuses a style attribute set as markup.
    if (attr.name === 'style') (live as HTMLElement).style.cssText = (fresh as HTMLElement).style.cssText;
    else live.setAttribute(attr.name, attr.value);
  }
  if (live.attributes.length === fresh.attributes.length) return;
  for (const attr of [...live.attributes]) if (!fresh.hasAttribute(attr.name)) live.removeAttribute(attr.name);
}

/** `patchChildren` from a list of children as `h` takes them. */
export function patch(live: Element, children: Child[]): void {
  const fresh = document.createElement(live.tagName);
  append(fresh, children);
  patchChildren(live, fresh);
}

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

/**
 * An element described, not yet made: what the sections build each frame and `patch` compares with
 * the page. Only the elements that are new or of another tag are ever made, so a frame that changes
 * a few texts leaves no elements behind for the browser's garbage collector.
 */
export interface VNode {
  readonly tag: string;
  /** The tag as the DOM spells an element's nodeName (upper case in an HTML document). */
  readonly nodeName: string;
  readonly attrs: readonly (readonly [string, string])[];
  readonly children: readonly Child[];
}

export type Child = VNode | Node | string | undefined | false;

/** data-* attribute names as the dataset keys map to them (cgroupSort → data-cgroup-sort). */
function dataAttribute(key: string): string {
  return `data-${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** An element described: what `patch` takes. */
export function v(tag: keyof HTMLElementTagNameMap, props?: Props, ...children: Child[]): VNode {
  const attrs: [string, string][] = [];
  if (props?.class) attrs.push(['class', props.class]);
  if (props?.title !== undefined) attrs.push(['title', props.title]);
  for (const [k, value] of Object.entries(props?.data ?? {})) attrs.push([dataAttribute(k), value]);
  for (const [k, value] of Object.entries(props?.attrs ?? {})) attrs.push([k, value]);
  return { tag, nodeName: tag.toUpperCase(), attrs, children };
}

/** An element made now, for the parts a section keeps across frames (rows, cells, canvases). */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props?: Props,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  return build(v(tag, props, ...children), document) as HTMLElementTagNameMap[K];
}

function isVNode(c: VNode | Node): c is VNode {
  return (c as VNode).attrs !== undefined && (c as Node).nodeType === undefined;
}

/** The node a child stands for: a described element made (with its children), a string as a Text node. */
function build(c: VNode | Node | string, doc: Document): Node {
  if (typeof c === 'string') return doc.createTextNode(c);
  if (!isVNode(c)) return c;
  const el = doc.createElement(c.tag);
  for (const [name, value] of c.attrs) el.setAttribute(name, value);
  for (const child of c.children) if (child !== undefined && child !== false) el.appendChild(build(child, doc));
  return el;
}

// Node.ELEMENT_NODE and Node.TEXT_NODE, spelt out so that the diff runs on any DOM-shaped tree.
const ELEMENT_NODE = 1;
const TEXT_NODE = 3;

/** The element with this id in the page; the page's markup is the package's own, so a missing one is a build error. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return el as T;
}

/**
 * Sets a node's text only when it differs: an unchanged node costs no style, layout or paint. An
 * element holding one Text node keeps it and has its characters changed, which the browser lays out
 * again in place (a new node would be shaped from scratch and the old one left to collect).
 */
export function setText(node: Node, text: string): void {
  const only = node.firstChild;
  if (only !== null && only === node.lastChild && only.nodeType === TEXT_NODE) {
    if (only.nodeValue !== text) only.nodeValue = text;
  } else if (node.textContent !== text) node.textContent = text;
}

/** Sets an element's class attribute only when it differs. */
export function setClass(el: Element, cls: string): void {
  if (el.className !== cls) el.className = cls;
}

/**
 * Makes `live`'s children look like `children` (described elements, strings, or elements made by
 * `h` and not in the page), touching only what differs: a text whose characters changed, an
 * attribute, an element of another tag. What is unchanged stays the same node, so the browser
 * restyles, lays out and paints only the changes (and a selection or hover on an unchanged node
 * survives the next frame).
 */
export function patch(live: Node, children: readonly Child[]): void {
  const doc = live.ownerDocument as Document;
  let l: Node | null = live.firstChild;
  for (const c of children) {
    if (c === undefined || c === false) continue;
    if (!l) {
      live.appendChild(build(c, doc));
      continue;
    }
    const text = typeof c === 'string' ? c : !isVNode(c) && c.nodeType === TEXT_NODE ? c.nodeValue : undefined;
    if (text !== undefined && text !== null && l.nodeType === TEXT_NODE) {
      if (l.nodeValue !== text) l.nodeValue = text;
    } else if (c === l) {
      // An element already in place (a chart the section keeps).
    } else if (l.nodeType === ELEMENT_NODE && typeof c !== 'string' && l.nodeName === c.nodeName) {
      if (isVNode(c)) {
        patchAttributes(l as Element, c.attrs);
        patch(l, c.children);
      } else {
        const attrs = [...(c as Element).attributes].map((a) => [a.name, a.value] as const);
        patchAttributes(l as Element, attrs, (c as HTMLElement).style?.cssText);
        patch(l, [...c.childNodes]);
      }
    } else {
      const made = build(c, doc);
      live.replaceChild(made, l);
      l = made;
    }
    l = l.nextSibling;
  }
  while (l) {
    const after = l.nextSibling;
    live.removeChild(l);
    l = after;
  }
}

/** Sets the attributes that differ and removes those `attrs` lacks; a style through the CSSOM (the CSP refuses it as markup). */
function patchAttributes(live: Element, attrs: readonly (readonly [string, string])[], cssText?: string): void {
  for (const [name, value] of attrs) {
    if (live.getAttribute(name) === value) continue;
    if (name === 'style') (live as HTMLElement).style.cssText = cssText ?? value;
    else live.setAttribute(name, value);
  }
  if (live.attributes.length === attrs.length) return;
  for (const attr of [...live.attributes])
    if (!attrs.some(([name]) => name === attr.name)) live.removeAttribute(attr.name);
}

import { describe, expect, it } from 'vitest';
import { patch, v } from '../../web/dom.js';

/**
 * A small stand-in for the browser's nodes (the unit tests run without a DOM): children as a
 * list, attributes as a map, and a count of every change made to the tree.
 */
class FakeNode {
  children: FakeNode[] = [];
  parent: FakeNode | undefined;
  readonly attrs = new Map<string, string>();
  private value: string | null;
  static changes = 0;

  constructor(
    readonly nodeType: 1 | 3,
    readonly nodeName: string,
    value: string | null = null,
  ) {
    this.value = value;
  }

  get nodeValue(): string | null {
    return this.value;
  }
  set nodeValue(v: string | null) {
    FakeNode.changes++;
    this.value = v;
  }
  get ownerDocument(): { createElement: (tag: string) => FakeNode; createTextNode: (text: string) => FakeNode } {
    return {
      createElement: (tag) => new FakeNode(1, tag.toUpperCase()),
      createTextNode: (text) => new FakeNode(3, '#text', text),
    };
  }
  get childNodes(): FakeNode[] {
    return this.children;
  }
  get lastChild(): FakeNode | null {
    return this.children.at(-1) ?? null;
  }
  get firstChild(): FakeNode | null {
    return this.children[0] ?? null;
  }
  get nextSibling(): FakeNode | null {
    const siblings = this.parent?.children ?? [];
    return siblings[siblings.indexOf(this) + 1] ?? null;
  }
  get attributes(): { name: string; value: string }[] {
    return [...this.attrs].map(([name, value]) => ({ name, value }));
  }
  getAttribute(name: string): string | null {
    return this.attrs.get(name) ?? null;
  }
  hasAttribute(name: string): boolean {
    return this.attrs.has(name);
  }
  setAttribute(name: string, value: string): void {
    FakeNode.changes++;
    this.attrs.set(name, value);
  }
  removeAttribute(name: string): void {
    FakeNode.changes++;
    this.attrs.delete(name);
  }
  private detach(child: FakeNode): void {
    if (child.parent) child.parent.children.splice(child.parent.children.indexOf(child), 1);
    child.parent = this;
  }
  appendChild(child: FakeNode): FakeNode {
    FakeNode.changes++;
    this.detach(child);
    this.children.push(child);
    return child;
  }
  replaceChild(child: FakeNode, old: FakeNode): FakeNode {
    FakeNode.changes++;
    this.detach(child);
    this.children[this.children.indexOf(old)] = child;
    old.parent = undefined;
    return old;
  }
  removeChild(child: FakeNode): FakeNode {
    FakeNode.changes++;
    this.children.splice(this.children.indexOf(child), 1);
    child.parent = undefined;
    return child;
  }
}

type Spec = string | [string, Record<string, string>, ...Spec[]];

function build(spec: Spec): FakeNode {
  if (typeof spec === 'string') return new FakeNode(3, '#text', spec);
  const [tag, attrs, ...children] = spec;
  const el = new FakeNode(1, tag.toUpperCase());
  for (const [k, v] of Object.entries(attrs)) el.attrs.set(k, v);
  for (const c of children) {
    const child = build(c);
    child.parent = el;
    el.children.push(child);
  }
  return el;
}

function show(node: FakeNode): string {
  if (node.nodeType === 3) return node.nodeValue ?? '';
  const attrs = node.attributes.map((a) => ` ${a.name}="${a.value}"`).join('');
  return `<${node.nodeName.toLowerCase()}${attrs}>${node.children.map(show).join('')}</${node.nodeName.toLowerCase()}>`;
}

/** Patches a tree made from `before` to `after`; the result, the changes made and whether each first child stayed. */
function patched(before: Spec, after: Spec): { html: string; changes: number; kept: boolean[] } {
  const live = build(before);
  const old = [...live.children];
  FakeNode.changes = 0;
  patch(live as unknown as Node, [...build(after).children] as unknown as Node[]);
  return { html: show(live), changes: FakeNode.changes, kept: old.map((n, i) => live.children[i] === n) };
}

describe('patching the page in place', () => {
  it('ends with exactly the fresh tree', () => {
    const after: Spec = ['tbody', {}, ['tr', { class: 'row selected' }, ['td', {}, '42']], ['tr', { class: 'row' }]];
    const { html } = patched(['tbody', {}, ['tr', { class: 'row', 'data-pid': '7' }, ['td', {}, '41'], 'x']], after);
    expect(html).toBe(show(build(after)));
  });

  it('changes nothing when nothing differs', () => {
    const tree: Spec = ['table', {}, ['tr', { class: 'row' }, ['td', {}, 'cpu'], ['td', { title: 'm' }, '3 %']]];
    expect(patched(tree, tree)).toMatchObject({ changes: 0, kept: [true] });
  });

  it('changes only the text that differs, keeping the nodes around it', () => {
    const row = (cpu: string): Spec => ['tr', { class: 'row' }, ['td', {}, 'nginx'], ['td', {}, cpu]];
    const result = patched(['tbody', {}, row('1.0'), row('2.0')], ['tbody', {}, row('1.0'), row('2.5')]);
    expect(result).toMatchObject({ changes: 1, kept: [true, true] });
  });

  it('replaces an element of another tag, and adds and removes rows at the end', () => {
    const grown = patched(
      ['div', {}, ['p', {}, 'no findings']],
      ['div', {}, ['ol', {}, ['li', {}, 'a']], ['p', {}, 'b']],
    );
    expect(grown.html).toBe('<div><ol><li>a</li></ol><p>b</p></div>');
    expect(grown.kept).toEqual([false]);
    const shrunk = patched(['div', {}, ['p', {}, 'a'], ['p', {}, 'b'], 'c'], ['div', {}, ['p', {}, 'a']]);
    expect(shrunk.html).toBe('<div><p>a</p></div>');
    expect(shrunk.kept).toEqual([true, false, false]);
  });

  it('sets, changes and removes attributes to match', () => {
    const { html } = patched(
      ['div', {}, ['tr', { class: 'row', 'data-index': '1', title: 'old' }]],
      ['div', {}, ['tr', { class: 'row focused', 'data-index': '1', 'data-pid': '9' }]],
    );
    expect(html).toBe('<div><tr class="row focused" data-index="1" data-pid="9"></tr></div>');
  });

  it('takes described elements: makes only the new ones and changes only what differs', () => {
    const live = build(['ol', {}, ['li', { class: 'finding row', 'data-index': '0' }, ['span', {}, '5s']]]);
    const kept = live.children[0];
    const keptText = kept.children[0].children[0];
    FakeNode.changes = 0;
    patch(live as unknown as Node, [
      v('li', { class: 'finding row', data: { index: '0' } }, v('span', {}, '6s')),
      v('li', { class: 'finding row selected', data: { index: '1', cgroupSort: 'cpu' } }, 'new'),
    ]);
    expect(show(live)).toBe(
      '<ol><li class="finding row" data-index="0"><span>6s</span></li>' +
        '<li class="finding row selected" data-index="1" data-cgroup-sort="cpu">new</li></ol>',
    );
    expect(live.children[0]).toBe(kept);
    expect(kept.children[0].children[0]).toBe(keptText);
    // The changed text, and the new element made (three attributes and its text) and appended: nothing else.
    expect(FakeNode.changes).toBe(6);
  });
});

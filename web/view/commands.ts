import { h } from '../dom.js';

/**
 * A next command to run on the host: the text selects whole on a click, and a button copies it
 * (the clipboard API exists on https and loopback pages only; elsewhere the selection is the copy).
 */
export function commandLine(cmd: string): HTMLElement {
  const button = h('button', { class: 'copy', title: 'copy the command', attrs: { type: 'button' } }, 'copy');
  button.dataset.copy = cmd;
  return h('div', { class: 'command' }, h('code', {}, cmd), button);
}

/** The click on a copy button, wherever it is in the page. */
export async function copyCommand(button: HTMLElement): Promise<void> {
  const text = button.dataset.copy ?? '';
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = 'copied';
  } catch {
    const code = button.parentElement?.querySelector('code');
    if (code) window.getSelection()?.selectAllChildren(code);
    button.textContent = 'selected';
  }
  setTimeout(() => {
    button.textContent = 'copy';
  }, 1500);
}

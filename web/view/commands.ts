import { type VNode, v } from '../dom.js';

/**
 * A next command to run on the host: the text selects whole on a click, and a button copies it
 * (the clipboard API exists on https and loopback pages only; elsewhere the selection is the copy).
 */
export function commandLine(cmd: string): VNode {
  const button = v(
    'button',
    { class: 'copy', title: 'copy the command', data: { copy: cmd }, attrs: { type: 'button' } },
    'copy',
  );
  return v('div', { class: 'command' }, v('code', {}, cmd), button);
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

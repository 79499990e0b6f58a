/** procfs text is read as latin1 (one char per byte); comm and cmdline are usually UTF-8. */
export function utf8(text: string): string {
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) > 0x7f) return Buffer.from(text, 'latin1').toString('utf8');
  }
  return text;
}

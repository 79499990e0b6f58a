/** Joins the NUL-separated arguments of /proc/<pid>/cmdline with spaces (empty for kernel threads and zombies). */
export function parseCmdline(text: string, maxChars = 4096): string {
  let end = Math.min(text.length, maxChars);
  while (end > 0 && text.charCodeAt(end - 1) === 0) end--;
  return text.slice(0, end).replaceAll('\0', ' ');
}

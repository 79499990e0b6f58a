const two = (n: number) => String(n).padStart(2, '0');

/** Local wall-clock time, HH:MM:SS: when a frame was taken or a finding fired, on the screen. */
export function formatClock(ts: number): string {
  const d = new Date(ts);
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** Local date and time, YYYY-MM-DD HH:MM:SS: a recording can span days. */
export function formatDateTime(ts: number): string {
  const d = new Date(ts);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${formatClock(ts)}`;
}

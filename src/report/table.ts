import stringWidth from 'string-width';

/** Left-aligned columns padded by display width, so coloured and wide characters line up. */
export function table(rows: readonly string[][], gap = 2): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    for (let i = 0; i < row.length; i++) widths[i] = Math.max(widths[i] ?? 0, stringWidth(row[i]));
  }
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat(widths[i] - stringWidth(cell) + gap)))
      .join('')
      .trimEnd(),
  );
}

import { setFlagsFromString } from 'node:v8';

/**
 * V8 settings that keep `usewatch top` and `usewatch fleet` within their RSS budgets (70 and 80 MB),
 * set when the command starts, before its first burst of allocation, rather than for every command
 * (the agent makes its own choice of V8 settings by host size: agent/v8-profile.ts).
 *
 * - The young generation keeps its initial size instead of doubling towards 16 MB semi-spaces:
 *   top's garbage is short-lived, and the grown semi-spaces were 8–16 MB of RSS.
 * - No optimising compiler (interpreter and baseline code only): TurboFan's compile zones and code,
 *   and the pages of the node binary it runs from, were 8–10 MB of RSS. Top does one tick and one
 *   redraw a second; a redraw at 120×40 then costs about 0.6 ms instead of 0.3 ms, and the process
 *   CPU did not change measurably.
 * - Optimise for size: with the small young generation, each frame lives long enough to be promoted,
 *   and the old generation then collected only every 100 s or so, at 13 MB of garbage; with this
 *   flag V8 collects it every 40–50 s, at about 5 MB.
 *
 * These are read by V8 as it runs, so setting them after start-up takes effect; the semi-space
 * maximum, by contrast, is fixed when the heap is created and cannot be set from here.
 */
export const TOP_V8_FLAGS = ['--semi-space-growth-factor=1', '--max-opt=1', '--optimize-for-size'] as const;

export function useSmallFootprint(): void {
  for (const flag of TOP_V8_FLAGS) setFlagsFromString(flag);
}

/** Commander's argument parser for an option given more than once: each value is added to the list. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

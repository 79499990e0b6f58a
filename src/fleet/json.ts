import type { Fleet } from './model.js';

/** `usewatch fleet --format json`: the grid as the terminal shows it, hosts in the same order. */
export function fleetJson(fleet: Fleet, meta: { prometheus: string; selector: string; time: number }) {
  return {
    prometheus: meta.prometheus,
    selector: meta.selector,
    time: new Date(meta.time).toISOString(),
    resources: fleet.resources,
    hosts: fleet.hosts.map((h) => ({
      host: h.name,
      job: h.job,
      up: h.up ?? null,
      worst: h.worst,
      firing: h.firing,
      cells: h.cells,
      findings: h.findings,
    })),
  };
}

import type { HealthReport } from '../server/requests.js';

/** Ticks missed before /healthz says the agent is stuck. */
export const STALL_INTERVALS = 3;

/**
 * /healthz: healthy while ticks keep coming. `lastTickMono` is the monotonic time (ms) of the last
 * published frame, so a wall-clock step cannot fake or hide a stall.
 */
export function healthReport(state: {
  lastTickMono: number | undefined;
  startedMono: number;
  intervalMs: number;
  seq: number | undefined;
  now: number;
}): HealthReport {
  const limitMs = STALL_INTERVALS * state.intervalMs;
  if (state.lastTickMono === undefined) {
    const waited = state.now - state.startedMono;
    return {
      ok: false,
      body: {
        status: 'starting',
        lastTickAgeSeconds: null,
        waitedSeconds: round(waited / 1000),
        intervalSeconds: state.intervalMs / 1000,
      },
    };
  }
  const age = state.now - state.lastTickMono;
  return {
    ok: age <= limitMs,
    body: {
      status: age <= limitMs ? 'ok' : 'stalled',
      lastTickAgeSeconds: round(age / 1000),
      intervalSeconds: state.intervalMs / 1000,
      seq: state.seq,
    },
  };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

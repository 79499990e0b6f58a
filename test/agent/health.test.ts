import { expect, test } from 'vitest';
import { healthReport } from '../../src/agent/health.js';

const base = { startedMono: 0, intervalMs: 1000, seq: 5 };

test('healthy while the last tick is at most three intervals old, then 503 "stalled"', () => {
  expect(healthReport({ ...base, lastTickMono: 10_000, now: 10_500 })).toEqual({
    ok: true,
    body: { status: 'ok', lastTickAgeSeconds: 0.5, intervalSeconds: 1, seq: 5 },
  });
  expect(healthReport({ ...base, lastTickMono: 10_000, now: 13_000 }).ok).toBe(true);
  const stalled = healthReport({ ...base, lastTickMono: 10_000, now: 13_001 });
  expect(stalled.ok).toBe(false);
  expect(stalled.body).toMatchObject({ status: 'stalled', lastTickAgeSeconds: 3.001 });
});

test('not healthy before the first tick', () => {
  expect(healthReport({ ...base, lastTickMono: undefined, seq: undefined, now: 200 })).toMatchObject({
    ok: false,
    body: { status: 'starting', lastTickAgeSeconds: null },
  });
});

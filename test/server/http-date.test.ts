import { describe, expect, test } from 'vitest';
import { httpDateCache } from '../../src/server/http-date.js';

describe('the Date header', () => {
  test('is the IMF-fixdate of the current second, made again only when the second changes', () => {
    let now = Date.UTC(2026, 11, 6, 6, 30, 15, 10);
    const date = httpDateCache(() => now);
    expect(date()).toBe('Sun, 06 Dec 2026 06:30:15 GMT');
    now += 980;
    const same = date();
    expect(same).toBe('Sun, 06 Dec 2026 06:30:15 GMT');
    now += 10;
    expect(date()).toBe('Sun, 06 Dec 2026 06:30:16 GMT');
    now -= 5000;
    expect(date()).toBe('Sun, 06 Dec 2026 06:30:11 GMT');
  });
});

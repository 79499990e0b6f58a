import { expect, test } from 'vitest';
import { BIG_HOST_V8_FLAGS, operatorTunedV8, SMALL_HOST_V8_FLAGS, V8Profile } from '../../src/agent/v8-profile.js';

const processes = (n: number) => ({ 'tasks.processes': { '': n } });

test("starts with a small host's settings, and takes a big host's once, at the first frame over the threshold", () => {
  const set: string[] = [];
  const profile = new V8Profile(250, (flags) => set.push(flags));
  profile.start();
  expect(set).toEqual(['--max-opt=1', '--incremental-marking-soft-trigger=25']);
  expect(profile.observe(processes(120))).toBeUndefined();
  expect(profile.observe(processes(250))).toBeUndefined();
  expect(profile.observe({})).toBeUndefined();
  expect(profile.bigHost).toBe(false);
  expect(profile.observe(processes(251))).toBe(251);
  expect(profile.bigHost).toBe(true);
  expect(set).toEqual([...SMALL_HOST_V8_FLAGS, '--max-opt=999', '--turbofan', '--incremental-marking-soft-trigger=0']);
  // a host that shrinks again keeps the big host's settings: TurboFan's memory is spent
  expect(profile.observe(processes(40))).toBeUndefined();
  expect(profile.observe(processes(900))).toBeUndefined();
  expect(set).toHaveLength(SMALL_HOST_V8_FLAGS.length + BIG_HOST_V8_FLAGS.length);
});

test('a process count that is not a number switches nothing', () => {
  const set: string[] = [];
  const profile = new V8Profile(250, (flags) => set.push(flags));
  expect(profile.observe(processes(Number.NaN))).toBeUndefined();
  expect(set).toEqual([]);
});

test("the operator's own V8 tiers or marking trigger, on the command line or in NODE_OPTIONS, leave V8 alone", () => {
  expect(operatorTunedV8(['--max-semi-space-size=1', '--v8-pool-size=1'], undefined)).toBe(false);
  expect(operatorTunedV8([], '--max-old-space-size=128 --enable-source-maps')).toBe(false);
  expect(operatorTunedV8(['--max-opt=1'], undefined)).toBe(true);
  expect(operatorTunedV8(['--max_opt=4'], undefined)).toBe(true);
  expect(operatorTunedV8(['--no-turbofan'], undefined)).toBe(true);
  expect(operatorTunedV8(['--turbofan'], undefined)).toBe(true);
  expect(operatorTunedV8(['--incremental-marking-soft-trigger=50'], undefined)).toBe(true);
  expect(operatorTunedV8([], '--max-semi-space-size=1 --jitless')).toBe(true);
  expect(operatorTunedV8(['--optimize-for-size'], undefined)).toBe(true);
  // a flag that merely starts with one of those names is not one of them
  expect(operatorTunedV8(['--opt-foo', '--max-optimized-bytecode-size=100'], undefined)).toBe(false);
});

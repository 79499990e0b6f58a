import { expect, test } from 'vitest';
import { OptimiserSwitch, operatorChoseTiers } from '../../src/agent/optimiser.js';

const processes = (n: number) => ({ 'tasks.processes': { '': n } });

test('starts with TurboFan off, and turns it on once, at the first frame over the threshold', () => {
  const set: string[] = [];
  const optimiser = new OptimiserSwitch(250, (flags) => set.push(flags));
  optimiser.start();
  expect(set).toEqual(['--max-opt=1']);
  expect(optimiser.observe(processes(120))).toBeUndefined();
  expect(optimiser.observe(processes(250))).toBeUndefined();
  expect(optimiser.observe({})).toBeUndefined();
  expect(optimiser.optimising).toBe(false);
  expect(optimiser.observe(processes(251))).toBe(251);
  expect(optimiser.optimising).toBe(true);
  expect(set).toEqual(['--max-opt=1', '--max-opt=999', '--turbofan']);
  // a host that shrinks again keeps the compiler: its memory is spent
  expect(optimiser.observe(processes(40))).toBeUndefined();
  expect(optimiser.observe(processes(900))).toBeUndefined();
  expect(set).toHaveLength(3);
});

test('a process count that is not a number turns nothing on', () => {
  const set: string[] = [];
  const optimiser = new OptimiserSwitch(250, (flags) => set.push(flags));
  expect(optimiser.observe(processes(Number.NaN))).toBeUndefined();
  expect(set).toEqual([]);
});

test("the operator's own tier flags, on the command line or in NODE_OPTIONS, leave V8 alone", () => {
  expect(operatorChoseTiers(['--max-semi-space-size=1', '--v8-pool-size=1'], undefined)).toBe(false);
  expect(operatorChoseTiers([], '--max-old-space-size=128 --enable-source-maps')).toBe(false);
  expect(operatorChoseTiers(['--max-opt=1'], undefined)).toBe(true);
  expect(operatorChoseTiers(['--max_opt=4'], undefined)).toBe(true);
  expect(operatorChoseTiers(['--no-turbofan'], undefined)).toBe(true);
  expect(operatorChoseTiers(['--turbofan'], undefined)).toBe(true);
  expect(operatorChoseTiers([], '--max-semi-space-size=1 --jitless')).toBe(true);
  expect(operatorChoseTiers(['--no-opt'], undefined)).toBe(true);
  // a flag that merely starts with a tier flag's name is not one
  expect(operatorChoseTiers(['--optimize-for-size', '--opt-foo'], undefined)).toBe(false);
});

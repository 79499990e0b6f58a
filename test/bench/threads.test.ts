import { describe, expect, it } from 'vitest';
import { classifyThreads, type ThreadCpu, threadBreakdown } from '../../bench/whole/threads.js';

const layout = { v8PoolSize: 4, uvPoolSize: 2 };
const thread = (tid: number, comm: string, cpuMs = 0): ThreadCpu => ({ tid, comm, cpuMs });

describe('classifyThreads', () => {
  it('goes by name where Node names its threads (Node 22 and later)', () => {
    const groups = classifyThreads(
      100,
      [
        thread(100, 'node'),
        thread(101, 'V8 DefaultWorke'),
        thread(102, 'V8 DefaultWorke'),
        thread(103, 'node'),
        thread(104, 'libuv-worker'),
      ],
      layout,
    );
    expect([...groups.values()]).toEqual([
      'main',
      'V8 workers (compiler, GC)',
      'V8 workers (compiler, GC)',
      'other',
      'libuv pool',
    ]);
  });

  it('goes by creation order where every thread is called "node" (Node 20)', () => {
    const tids = [200, 201, 202, 203, 204, 205, 206, 207, 208];
    const groups = classifyThreads(
      200,
      tids.map((tid) => thread(tid, 'node')),
      layout,
    );
    expect(tids.map((tid) => groups.get(tid))).toEqual([
      'main',
      'other', // the delayed-task scheduler, started before the workers
      'V8 workers (compiler, GC)',
      'V8 workers (compiler, GC)',
      'V8 workers (compiler, GC)',
      'V8 workers (compiler, GC)',
      'other', // the inspector's signal thread
      'libuv pool',
      'libuv pool',
    ]);
  });

  it('is not misled by the profiler thread that --cpu-prof adds before the libuv pool starts', () => {
    const threads = [200, 201, 202, 203, 204, 205, 206, 208, 209].map((tid) => thread(tid, 'node'));
    threads.push(thread(207, 'v8:ProfEvntProc'));
    const groups = classifyThreads(200, threads, layout);
    expect(groups.get(202)).toBe('V8 workers (compiler, GC)');
    expect(groups.get(207)).toBe('other');
    expect([groups.get(208), groups.get(209)]).toEqual(['libuv pool', 'libuv pool']);
  });
});

describe('threadBreakdown', () => {
  it('sums each group over the window, a thread born in it counting from zero', () => {
    const before = [thread(300, 'node', 1000), thread(301, 'V8 DefaultWorke', 400)];
    const after = [
      thread(300, 'node', 1600),
      thread(301, 'V8 DefaultWorke', 450),
      thread(302, 'V8 DefaultWorke', 30),
      thread(303, 'libuv-worker', 5),
    ];
    const byGroup = threadBreakdown(300, before, after, layout);
    expect(Object.fromEntries(byGroup)).toEqual({
      main: { threads: 1, cpuMs: 600 },
      'V8 workers (compiler, GC)': { threads: 2, cpuMs: 80 },
      'libuv pool': { threads: 1, cpuMs: 5 },
    });
  });
});

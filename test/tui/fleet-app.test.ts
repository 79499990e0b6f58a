import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { syntheticFleetResponses } from '../../bench/fleet-responses.js';
import { FeedRefusedError } from '../../src/feed/client.js';
import { buildFleet } from '../../src/fleet/model.js';
import type { Frame } from '../../src/model/frame.js';
import type { ViewSource } from '../../src/model/source.js';
import { type FleetOptions, leavesHostView, runFleet } from '../../src/tui/fleet-app.js';
import { initialState } from '../../src/tui/state.js';
import { FakeTty } from './fake-tty.js';
import { frame } from './frames.js';

const LEAVE_ALT = '\x1b[?1049l';
const ESC = '\x1b';

/** A feed that shows its frames and then waits, or one that refuses at once. */
function feed(url: string, refuse: boolean, opened: string[]): ViewSource {
  opened.push(url);
  async function* frames(): AsyncGenerator<Frame> {
    if (refuse) throw new FeedRefusedError(`feed ${url} refused the connection: 401 Unauthorized`);
    yield frame(1);
    await new Promise(() => {});
  }
  return { kind: 'remote', label: url, frames: frames() };
}

function setup(refuse = false) {
  const stdin = new PassThrough() as unknown as NodeJS.ReadStream;
  const stdout = new FakeTty();
  const opened: string[] = [];
  let refreshes = 0;
  const opts: FleetOptions = {
    stdin,
    stdout: stdout as unknown as NodeJS.WriteStream,
    env: { LANG: 'C.UTF-8' },
    client: {
      base: new URL('http://prom:9090/'),
      readFleet: async () => {
        refreshes++;
        return syntheticFleetResponses(10);
      },
    },
    selector: '{job="usewatch"}',
    intervalMs: 20,
    openFeed: async (host) => feed(`ws://${host.name}/feed`, refuse, opened),
  };
  return { stdin, stdout, opts, opened, refreshes: () => refreshes };
}

describe('runFleet', () => {
  it('refreshes, opens the selected host’s live view on enter and comes back to it on esc', async () => {
    const { stdin, stdout, opts, opened, refreshes } = setup();
    const signals = process.listenerCount('SIGTERM');
    const done = runFleet(buildFleet(syntheticFleetResponses(10)), opts);
    await stdout.waitFor('host-0000.example.com:9733');
    await expect.poll(refreshes).toBeGreaterThan(2);
    stdin.write('\x1b[B');
    await new Promise((r) => setTimeout(r, 50));
    stdin.write('\r');
    // top's screen, in the same session: web-1 is the frame's host.
    await stdout.waitFor('web-1');
    expect(opened).toEqual(['ws://host-0007.example.com:9733/feed']);
    const back = stdout.output.length;
    stdin.write(ESC);
    await stdout.waitFor('FINDINGS host-0007.example.com:9733', back);
    // The terminal was not restored in between: the fleet still owns it.
    expect(stdout.output.indexOf(LEAVE_ALT)).toBe(-1);
    expect(process.listenerCount('SIGTERM')).toBe(signals + 1);
    stdin.write('q');
    await done;
    expect(stdout.output.endsWith(LEAVE_ALT)).toBe(true);
    expect(stdout.output.split(LEAVE_ALT)).toHaveLength(2);
    expect(process.listenerCount('SIGTERM')).toBe(signals);
  });

  it('shows a refused feed on the status line and keeps running', async () => {
    const { stdin, stdout, opts } = setup(true);
    const done = runFleet(buildFleet(syntheticFleetResponses(10)), opts);
    await stdout.waitFor('host-0000.example.com:9733');
    stdin.write('\r');
    await stdout.waitFor('refused the connection: 401 Unauthorized');
    expect(stdout.output).toContain('feed ws://host-0000.example.com:9733/feed refused the connection');
    // Still the fleet, taking keys.
    const after = stdout.output.length;
    stdin.write('\x1b[B');
    await stdout.waitFor('FINDINGS host-0007.example.com:9733', after);
    stdin.write('q');
    await done;
  });
});

describe('leavesHostView', () => {
  it('is esc on the host view’s main screen only', () => {
    const esc = { name: 'escape' } as const;
    expect(leavesHostView(initialState, esc)).toBe(true);
    expect(leavesHostView({ ...initialState, help: true }, esc)).toBe(false);
    expect(leavesHostView({ ...initialState, filter: 'nginx' }, esc)).toBe(false);
    expect(leavesHostView({ ...initialState, detail: { kind: 'resource', resource: 'cpu', instance: '' } }, esc)).toBe(
      false,
    );
    expect(leavesHostView(initialState, { name: 'char', ch: 'x' })).toBe(false);
  });
});

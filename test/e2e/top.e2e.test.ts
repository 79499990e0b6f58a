import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRecorder } from '../../src/outputs/recorder/recorder.js';
import { formatDateTime } from '../../src/text/clock.js';
import { makeFrame, T0, tempDir } from '../recorder/helpers.js';
import { cgroupFrame } from '../tui/frames.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = resolve(ROOT, 'dist/bin/usewatch.js');
const hasTmux = spawnSync('tmux', ['-V']).status === 0;
if (!hasTmux) console.log('top e2e skipped: no tmux binary on PATH (apt-get install -y tmux)');

// A tmux server of our own: other tmux users on the machine are not touched, and killing it ends every pane.
const SOCKET = `usewatch-top-e2e-${process.pid}`;
let sessionCount = 0;

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
}

function capture(session: string): string {
  return tmux('capture-pane', '-p', '-t', session);
}

function alternateOn(session: string): boolean {
  return tmux('display-message', '-p', '-t', session, '#{alternate_on}').trim() === '1';
}

async function waitFor(
  session: string,
  what: string,
  ok: (screen: string) => boolean,
  timeoutMs = 10_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let screen = '';
  while (Date.now() < deadline) {
    screen = capture(session);
    if (ok(screen)) return screen;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; the pane shows:\n${screen}`);
}

const contains = (text: string) => (screen: string) => screen.includes(text);

/** A shell in a detached 120x40 tmux pane with `usewatch top` started from its prompt. */
async function startTop(args: string): Promise<string> {
  const session = `top-${sessionCount++}`;
  // CI=true makes some terminal code draw nothing; the TUI must run as in a user's terminal.
  tmux('new-session', '-d', '-s', session, '-x', '120', '-y', '40', 'env -u CI LANG=C.UTF-8 PS1="uw-prompt$ " sh');
  await waitFor(session, 'the shell prompt', (x) => x.includes('uw-prompt$'));
  tmux('send-keys', '-t', session, `node ${CLI} top ${args}; echo "top-exit=$?"`, 'Enter');
  return session;
}

/** The process running `top` in the pane (the pane's shell's child). */
function topPid(session: string): number {
  const shell = tmux('display-message', '-p', '-t', session, '#{pane_pid}').trim();
  return Number(execFileSync('pgrep', ['-P', shell, 'node'], { encoding: 'utf8' }).trim().split('\n')[0]);
}

afterAll(() => {
  if (hasTmux) spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
});

describe.skipIf(!hasTmux)('usewatch top in a terminal', () => {
  it('shows the live screen, sorts, pauses, helps, and restores the terminal on q', async () => {
    expect(existsSync(CLI), `${CLI} is missing: run npm run build first`).toBe(true);
    const s = await startTop('--interval 500ms');
    // The first frame has no rates yet; the second has CPU utilization.
    const first = await waitFor(s, 'a frame with rates', (x) => x.includes('LIVE') && /^. cpu +\S+%/m.test(x));
    expect(alternateOn(s)).toBe(true);
    expect(first).toMatch(/usewatch \S+ +kernel /);
    expect(first).toMatch(/load \d+\.\d\d \d+\.\d\d \d+\.\d\d [↑↓→]/);
    expect(first).toContain('FINDINGS');
    expect(first).toContain('sort cpu (s)');

    tmux('send-keys', '-t', s, 's');
    await waitFor(s, 'sort by memory', contains('sort memory (s)'));

    tmux('send-keys', '-t', s, 'Space');
    const paused = await waitFor(s, 'the paused state', contains('PAUSED'));
    const frozenClock = paused.split('\n')[1].match(/\d\d:\d\d:\d\d/)?.[0];
    const later = await waitFor(s, 'frames arriving while paused', (x) => /PAUSED \(\d+ new frames?\)/.test(x));
    expect(later.split('\n')[1]).toContain(frozenClock);
    tmux('send-keys', '-t', s, 'Space');
    await waitFor(s, 'live again', contains('LIVE'));

    tmux('send-keys', '-t', s, '?');
    await waitFor(s, 'the help page', (x) => x.includes('HELP') && x.includes('Legend'));
    tmux('send-keys', '-t', s, '?');
    await waitFor(s, 'the help closed', contains('PROCESSES'));

    tmux('send-keys', '-t', s, 'q');
    const after = await waitFor(s, 'the shell prompt', contains('top-exit=0'));
    expect(alternateOn(s)).toBe(false);
    expect(after).not.toContain('PROCESSES');
    expect(after).toMatch(/uw-prompt\$ node .*usewatch\.js top --interval 500ms/);
    expect(after.trimEnd().endsWith('uw-prompt$')).toBe(true);
  });

  it('Esc acts at once, and a q typed right after it is not lost', async () => {
    const s = await startTop('');
    await waitFor(s, 'the first frame', contains('PROCESSES'));
    tmux('send-keys', '-t', s, '?');
    await waitFor(s, 'the help page', contains('Legend'));
    const sent = Date.now();
    tmux('send-keys', '-t', s, 'Escape');
    await waitFor(s, 'the help closed by Esc', (x) => !x.includes('Legend'), 5000);
    // Polling capture-pane adds its own delay; readline's escape timeout made this about 500 ms.
    expect(Date.now() - sent).toBeLessThan(300);

    tmux('send-keys', '-t', s, '?');
    await waitFor(s, 'the help page again', contains('Legend'));
    tmux('send-keys', '-t', s, 'Escape');
    await new Promise((r) => setTimeout(r, 40));
    tmux('send-keys', '-t', s, 'q');
    const after = await waitFor(s, 'the shell prompt after Esc then q', contains('top-exit=0'), 5000);
    expect(after).not.toContain('PROCESSES');
  });

  it('redraws for a new size, and says when the terminal is too small', async () => {
    const s = await startTop('');
    await waitFor(s, 'the first frame', contains('PROCESSES'));
    tmux('resize-window', '-t', s, '-x', '70', '-y', '20');
    await waitFor(s, 'the too-small message', contains('terminal too small (70x20)'));
    tmux('resize-window', '-t', s, '-x', '100', '-y', '30');
    const resized = await waitFor(
      s,
      'the screen at 100x30',
      (x) => x.includes('PROCESSES') && !x.includes('too small'),
    );
    for (const line of resized.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
    tmux('send-keys', '-t', s, 'q');
    await waitFor(s, 'the shell prompt', contains('top-exit=0'));
  });

  it('restores the terminal when killed with SIGTERM', async () => {
    const s = await startTop('');
    await waitFor(s, 'the first frame', contains('PROCESSES'));
    process.kill(topPid(s), 'SIGTERM');
    await waitFor(s, 'the shell prompt', contains('top-exit=143'));
    expect(alternateOn(s)).toBe(false);
    expect(capture(s)).not.toContain('PROCESSES');
  });
});

describe.skipIf(!hasTmux)('usewatch top --connect', () => {
  const agents: ChildProcess[] = [];
  afterAll(() => {
    for (const a of agents) a.kill('SIGTERM');
  });

  function startAgent(port: number): ChildProcess {
    const agent = spawn('node', [CLI, 'agent', '--listen', `127.0.0.1:${port}`, '--log-level', 'warn'], {
      stdio: 'ignore',
    });
    agents.push(agent);
    return agent;
  }

  it("renders a local agent's feed, shows reconnecting when it goes away and live when it is back", async () => {
    const port = 20_000 + (process.pid % 20_000);
    const agent = startAgent(port);
    const s = await startTop(`--connect ws://127.0.0.1:${port}/feed`);
    const live = await waitFor(
      s,
      'the remote frames',
      (x) => x.includes(`127.0.0.1:${port}/feed (live)`) && /^. cpu +\S+%/m.test(x),
    );
    expect(live).toContain('PROCESSES');
    agent.kill('SIGTERM');
    await waitFor(s, 'the reconnecting state', (x) => x.includes('(reconnecting)') && x.includes('STALE'));
    startAgent(port);
    await waitFor(s, 'live again', (x) => x.includes('(live)') && x.includes('LIVE'), 20_000);
    tmux('send-keys', '-t', s, 'q');
    await waitFor(s, 'the shell prompt', contains('top-exit=0'));
    expect(alternateOn(s)).toBe(false);
  });
});

describe.skipIf(!hasTmux)('usewatch top --replay', () => {
  /** Half an hour recorded every 10 s: a frame stays on screen 10 s at speed 1. */
  async function recording(): Promise<string> {
    const dir = tempDir();
    // Written all at once: the queue must hold every frame.
    const recorder = createRecorder({ dir, queueFrames: 1000 });
    for (let i = 0; i <= 180; i++) recorder.write({ ...makeFrame(i + 1, T0 + i * 10_000), intervalMs: 10_000 });
    await recorder.close();
    return dir;
  }

  it('shows REPLAY with the recorded time, seeks with right and pgdn, and restores the terminal', async () => {
    const dir = await recording();
    const s = await startTop(`--replay ${dir}`);
    const first = await waitFor(s, 'the first recorded frame', contains(`${formatDateTime(T0)}  REPLAY`));
    expect(alternateOn(s)).toBe(true);
    expect(first).toContain('web-01');
    tmux('send-keys', '-t', s, 'Right');
    await waitFor(s, 'a minute later', contains(`${formatDateTime(T0 + 60_000)}  REPLAY`));
    tmux('send-keys', '-t', s, 'NPage');
    await waitFor(s, 'ten minutes later', contains(`${formatDateTime(T0 + 11 * 60_000)}  REPLAY`));
    tmux('send-keys', '-t', s, 'Space');
    await waitFor(s, 'the replay paused', contains('REPLAY ×1 PAUSED'));
    tmux('send-keys', '-t', s, 'q');
    await waitFor(s, 'the shell prompt', contains('top-exit=0'));
    expect(alternateOn(s)).toBe(false);
  });

  it('lists the recorded services and containers on v, opens one on enter, names each process unit', async () => {
    const dir = tempDir();
    const recorder = createRecorder({ dir, queueFrames: 100 });
    for (let i = 0; i < 30; i++) recorder.write(cgroupFrame(i));
    await recorder.close();
    const s = await startTop(`--replay ${dir}`);
    const first = await waitFor(s, 'the first recorded frame', contains('FDS UNIT'));
    expect(first).toMatch(/FDS UNIT +COMMAND/);
    expect(first).toMatch(/4213 .* web +stress-ng-cpu/);
    tmux('send-keys', '-t', s, 'v');
    const table = await waitFor(s, 'the services table', contains('SERVICES AND CONTAINERS'));
    expect(table).toMatch(/CRIT web +container +0\.98 +98% +60% +250M/);
    expect(table).toMatch(/nginx\.service +service +0\.5 /);
    tmux('send-keys', '-t', s, 'BTab');
    tmux('send-keys', '-t', s, 'Enter');
    const detail = await waitFor(s, 'the detail of web', contains('DETAIL container web'));
    expect(detail).toMatch(/memory\.max +256M/);
    expect(detail).toMatch(/OOM kills +1 /);
    tmux('send-keys', '-t', s, 'Escape');
    await waitFor(s, 'the services table again', contains('SERVICES AND CONTAINERS'));
    tmux('send-keys', '-t', s, 'q');
    await waitFor(s, 'the shell prompt', contains('top-exit=0'));
    expect(alternateOn(s)).toBe(false);
  });

  it('refuses --replay with a live source option, naming it', () => {
    const run = spawnSync('node', [CLI, 'top', '--replay', '/nonexistent', '--connect', 'ws://127.0.0.1:1/feed'], {
      encoding: 'utf8',
    });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('--connect cannot go with it');
  });
});

import { PassThrough } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { Frame } from '../../src/model/frame.js';
import type { ViewSource } from '../../src/model/source.js';
import { createRecorder } from '../../src/outputs/recorder/recorder.js';
import { replaySource } from '../../src/replay/source.js';
import { formatClock, formatDateTime } from '../../src/text/clock.js';
import { runTop } from '../../src/tui/app.js';
import { makeFrame, T0 as REC_T0, tempDir } from '../recorder/helpers.js';
import { FakeTty } from './fake-tty.js';
import { frame } from './frames.js';

const ENTER_ALT = '\x1b[?1049h';
const LEAVE_ALT = '\x1b[?1049l';
const SHOW_CURSOR = '\x1b[?25h';

function io() {
  const stdin = new PassThrough() as unknown as NodeJS.ReadStream;
  const stdout = new FakeTty();
  return {
    stdin,
    stdout,
    opts: { stdin, stdout: stdout as unknown as NodeJS.WriteStream, env: { LANG: 'C.UTF-8' }, intervalMs: 1000 },
  };
}

/** Frames as the test hands them over; the iteration then waits, like a live source between ticks. */
function source(frames: Frame[], fail?: Error): ViewSource {
  async function* gen(): AsyncGenerator<Frame> {
    yield* frames;
    if (fail) throw fail;
    await new Promise(() => {});
  }
  return { kind: 'local', label: 'local', frames: gen() };
}

describe('runTop', () => {
  it('draws on the alternate screen, reacts to keys and restores the terminal on q', async () => {
    const { stdin, stdout, opts } = io();
    const signalsBefore = process.listenerCount('SIGTERM');
    const done = runTop(source([frame(1), frame(2)]), opts);
    expect(process.listenerCount('SIGTERM')).toBe(signalsBefore + 1);
    await stdout.waitFor('web-1');
    expect(stdout.output.startsWith(ENTER_ALT)).toBe(true);
    stdin.write('s');
    await stdout.waitFor('sort memory (s)');
    stdin.write(' ');
    await stdout.waitFor('PAUSED');
    stdin.write('q');
    await done;
    expect(stdout.output.endsWith(`${SHOW_CURSOR}${LEAVE_ALT}`)).toBe(true);
    expect(process.listenerCount('SIGTERM')).toBe(signalsBefore);
  });

  it('shows the collecting state at once, before any frame', async () => {
    const { stdin, stdout, opts } = io();
    const done = runTop(source([]), opts);
    await stdout.waitFor('collecting the first sample');
    stdin.write('q');
    await done;
  });

  it('repaints the whole screen for the new size on resize', async () => {
    const { stdin, stdout, opts } = io();
    const done = runTop(source([frame(1)]), opts);
    await stdout.waitFor('web-1');
    stdout.columns = 60;
    stdout.rows = 20;
    stdout.emit('resize');
    await stdout.waitFor('terminal too small (60x20)');
    expect(stdout.output).toContain('\x1b[2J');
    stdin.write('q');
    await done;
  });

  it('ends the source when the user quits', async () => {
    const { stdin, stdout, opts } = io();
    let ended = false;
    async function* ticking(): AsyncGenerator<Frame> {
      try {
        for (let seq = 1; ; seq++) {
          yield frame(seq);
          await new Promise((r) => setTimeout(r, 20));
        }
      } finally {
        ended = true;
      }
    }
    const done = runTop({ kind: 'local', label: 'local', frames: ticking() }, opts);
    await stdout.waitFor('web-1');
    stdin.write('q');
    await done;
    await expect.poll(() => ended).toBe(true);
  });

  it('says when the source has ended, and still quits on q', async () => {
    const { stdin, stdout, opts } = io();
    async function* oneFrame(): AsyncGenerator<Frame> {
      yield frame(1);
    }
    const done = runTop({ kind: 'local', label: 'local', frames: oneFrame() }, opts);
    await stdout.waitFor('source ended');
    stdin.write('q');
    await done;
    expect(stdout.output.endsWith(`${SHOW_CURSOR}${LEAVE_ALT}`)).toBe(true);
  });

  it('lets go of the frames it has replaced, so a long session does not grow', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const { stdin, opts } = io();
    const early: WeakRef<Frame>[] = [];
    let shownAll = false;
    async function* ticking(): AsyncGenerator<Frame> {
      for (let seq = 1; seq <= 30; seq++) {
        const f = frame(seq);
        if (seq <= 10) early.push(new WeakRef(f));
        yield f;
      }
      shownAll = true;
      await new Promise(() => {});
    }
    const done = runTop({ kind: 'local', label: 'local', frames: ticking() }, opts);
    await expect.poll(() => shownAll).toBe(true);
    await new Promise((r) => setTimeout(r, 0));
    gc();
    expect(early.filter((ref) => ref.deref() !== undefined)).toHaveLength(0);
    stdin.write('q');
    await done;
  });

  it('restores the terminal and reports a failing source', async () => {
    const { stdout, opts } = io();
    await expect(runTop(source([frame(1)], new Error('collector exploded')), opts)).rejects.toThrow(
      'collector exploded',
    );
    expect(stdout.output.endsWith(LEAVE_ALT)).toBe(true);
  });
});

/** 20 minutes recorded every 10 s, so that one frame stays on screen for 10 s at speed 1. */
async function tenSecondRecording(): Promise<string> {
  const dir = tempDir();
  // Written all at once: the queue must hold every frame.
  const recorder = createRecorder({ dir, queueFrames: 1000 });
  for (let i = 0; i <= 120; i++) recorder.write({ ...makeFrame(i + 1, REC_T0 + i * 10_000), intervalMs: 10_000 });
  await recorder.close();
  return dir;
}

const RIGHT = '\x1b[C';
const ESC = '\x1b';

describe('runTop on a recording', () => {
  it('seeks with the arrows, goes to a typed time, names a bad one, and pauses the replay', async () => {
    const { stdin, stdout, opts } = io();
    const source = await replaySource(await tenSecondRecording(), { atEnd: 'hold' });
    // Without colour, a header reads as one run of text.
    const done = runTop(source, { ...opts, env: { ...opts.env, NO_COLOR: '1' }, replay: source });
    await stdout.waitFor(`${formatDateTime(REC_T0)}  REPLAY ×1`);

    stdin.write(RIGHT);
    await stdout.waitFor(formatDateTime(REC_T0 + 60_000));

    stdin.write(`g${formatClock(REC_T0 + 5 * 60_000).slice(0, 5)}\r`);
    await stdout.waitFor(formatDateTime(REC_T0 + 5 * 60_000));

    stdin.write('gnonsense\r');
    await stdout.waitFor('cannot read time "nonsense"');
    const beforeEsc = stdout.output.length;
    stdin.write(ESC);
    await stdout.waitFor('g go to', beforeEsc);

    stdin.write(' ');
    await stdout.waitFor('REPLAY ×1 PAUSED');
    expect(source.control.paused()).toBe(true);
    // A seek while paused shows where it landed and stays paused.
    stdin.write(RIGHT);
    await stdout.waitFor(`${formatDateTime(REC_T0 + 6 * 60_000)}  REPLAY ×1 PAUSED`);
    expect(source.control.paused()).toBe(true);

    // The last frame, then playing on from it: the end of the recording is marked.
    stdin.write('\x1b[F');
    await stdout.waitFor(`${formatDateTime(REC_T0 + 20 * 60_000)}  REPLAY ×1 PAUSED`);
    stdin.write(' ');
    await stdout.waitFor(`${formatDateTime(REC_T0 + 20 * 60_000)}  REPLAY ×1 END OF RECORDING`);

    stdin.write('q');
    await done;
    source.control.close();
  });
});

import { spawnSync } from 'node:child_process';
import { rssMb } from './hostile-clients.js';

/**
 * Peak RSS, MB, of `command` run in a detached 120×40 tmux pane (a terminal UI as a user runs it),
 * sampled every second for `seconds`; undefined without tmux. The pane's tmux server is `socket`'s own.
 */
export async function peakRssInTmux(socket: string, command: string, seconds: number): Promise<number | undefined> {
  const tmux = (...args: string[]) => spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  if (spawnSync('tmux', ['-V']).error) return undefined;
  tmux('kill-server');
  if (tmux('new-session', '-d', '-x', '120', '-y', '40', command).status !== 0) return undefined;
  try {
    const pid = Number(tmux('list-panes', '-F', '#{pane_pid}').stdout.trim());
    let peak = 0;
    for (let s = 0; s < seconds; s++) {
      await new Promise((r) => setTimeout(r, 1000));
      peak = Math.max(peak, rssMb(pid) ?? 0);
    }
    return peak || undefined;
  } finally {
    tmux('kill-server');
  }
}

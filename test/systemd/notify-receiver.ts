import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** Runs fake-notify.py on a temporary socket and collects the messages it receives. */
export class NotifyReceiver {
  readonly messages: string[] = [];
  readonly socketPath: string;
  private readonly dir: string;
  private readonly child: ChildProcess;

  private constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'usewatch-notify-'));
    this.socketPath = join(this.dir, 'notify.sock');
    this.child = spawn('python3', [new URL('./fake-notify.py', import.meta.url).pathname, this.socketPath], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
  }

  static async start(): Promise<NotifyReceiver> {
    const r = new NotifyReceiver();
    await new Promise<void>((resolve, reject) => {
      const lines = createInterface({ input: r.child.stdout! });
      lines.on('line', (line) => {
        const parsed = JSON.parse(line) as { listening?: string; message?: string };
        if (parsed.listening) resolve();
        if (parsed.message !== undefined) r.messages.push(parsed.message);
      });
      r.child.once('exit', (code) => reject(new Error(`fake-notify.py exited with ${code}`)));
    });
    return r;
  }

  /** Waits until a message containing `text` has arrived, up to timeoutMs. */
  async waitFor(text: string, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = this.messages.find((m) => m.includes(text));
      if (found) return found;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`no notification containing ${text} within ${timeoutMs} ms; got ${JSON.stringify(this.messages)}`);
  }

  count(text: string): number {
    return this.messages.filter((m) => m.includes(text)).length;
  }

  stop(): void {
    this.child.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

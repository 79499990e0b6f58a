import { afterEach, describe, expect, it } from 'vitest';
import { SystemdNotifier } from '../../src/systemd/notify.js';
import { NotifyReceiver } from './notify-receiver.js';

let receiver: NotifyReceiver | undefined;
afterEach(() => receiver?.stop());

describe('systemd notifier', () => {
  it('does nothing without NOTIFY_SOCKET', () => {
    expect(SystemdNotifier.fromEnvironment({ env: {} })).toBeUndefined();
  });

  it('sends READY=1 with a status, and STOPPING=1, to the notification socket', async () => {
    receiver = await NotifyReceiver.start();
    const notifier = SystemdNotifier.fromEnvironment({ env: { NOTIFY_SOCKET: receiver.socketPath } })!;
    await notifier.ready('ticking every 1s');
    expect(await receiver.waitFor('READY=1')).toContain('STATUS=ticking every 1s');
    await notifier.stopping();
    await receiver.waitFor('STOPPING=1');
  });

  it('pings the watchdog at half its interval while ticks complete, and stops when they stall', async () => {
    receiver = await NotifyReceiver.start();
    const notifier = SystemdNotifier.fromEnvironment({
      env: { NOTIFY_SOCKET: receiver.socketPath, WATCHDOG_USEC: '400000', WATCHDOG_PID: String(process.pid) },
    })!;
    expect(notifier.watchdogMs).toBe(400);
    const tickEveryMs = 50;
    const until = Date.now() + 1500;
    while (Date.now() < until) {
      notifier.tickDone();
      await new Promise((r) => setTimeout(r, tickEveryMs));
    }
    await receiver.waitFor('WATCHDOG=1');
    const whileTicking = receiver.count('WATCHDOG=1');
    // 1.5 s of ticks at a 200 ms ping period: several pings, but far fewer than the 30 ticks.
    expect(whileTicking).toBeGreaterThanOrEqual(3);
    expect(whileTicking).toBeLessThanOrEqual(9);
    await new Promise((r) => setTimeout(r, 1000)); // the loop has stalled: no tickDone() calls
    expect(receiver.count('WATCHDOG=1')).toBe(whileTicking);
  });

  it('ignores a watchdog meant for another process', () => {
    const notifier = SystemdNotifier.fromEnvironment({
      env: { NOTIFY_SOCKET: '/nonexistent', WATCHDOG_USEC: '30000000', WATCHDOG_PID: '1' },
    })!;
    expect(notifier.watchdogMs).toBeUndefined();
  });

  it('reports once when systemd-notify is missing, without throwing', async () => {
    const errors: string[] = [];
    const notifier = SystemdNotifier.fromEnvironment({
      env: { NOTIFY_SOCKET: '/nonexistent' },
      command: '/nonexistent/systemd-notify',
      onError: (m) => errors.push(m),
    })!;
    await notifier.ready('x');
    await notifier.status('y');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/not found/);
  });
});

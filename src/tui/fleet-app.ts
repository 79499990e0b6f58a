import { buildFleet, type Fleet, type FleetHost, sortHosts } from '../fleet/model.js';
import type { PrometheusClient } from '../fleet/query.js';
import type { ViewSource } from '../model/source.js';
import { type FleetUi, initialFleetUi, reduceFleetKey } from './fleet-state.js';
import type { Key, UiState } from './state.js';
import { type TerminalIo, TerminalSession } from './terminal.js';
import { colorEnabled, unicodeEnabled } from './theme.js';
import { type FleetScreenModel, fleetRows, renderFleetScreen } from './view/fleet.js';
import { LineDiffWriter } from './writer.js';

export interface FleetOptions extends TerminalIo {
  env: NodeJS.ProcessEnv;
  client: Pick<PrometheusClient, 'base' | 'readFleet'>;
  selector: string;
  /** The refresh period: the targets' scrape interval. */
  intervalMs: number;
  /**
   * A host's live feed (its address, the agents' token and CA are the command's business); throws
   * an Error saying why when the host has no address.
   */
  openFeed(host: FleetHost, signal: AbortSignal): Promise<ViewSource>;
}

/** `esc` on the host view's main screen (no page, help, filter or prompt open) goes back to the fleet. */
export function leavesHostView(ui: UiState, key: Key): boolean {
  return (
    key.name === 'escape' &&
    !ui.help &&
    !ui.detail &&
    !ui.filterEditing &&
    ui.filter === '' &&
    ui.timeInput === undefined
  );
}

/** What the fleet screen shows, fed by refreshes and keys; knows nothing of the terminal. */
export class FleetController {
  ui: FleetUi = initialFleetUi;
  private fleet?: Fleet;
  private refreshedAt?: number;
  /** Why the last refresh failed; cleared by the next that succeeds. */
  private refreshProblem?: string;
  /** Why a host's live view could not open or ended; cleared by the next key. */
  private hostProblem?: string;

  constructor(private readonly meta: Pick<FleetScreenModel, 'prometheus' | 'selector' | 'intervalMs'>) {}

  onFleet(fleet: Fleet, at: number): void {
    this.fleet = { ...fleet, hosts: sortHosts(fleet.hosts) };
    this.refreshedAt = at;
    this.refreshProblem = undefined;
  }

  /** A failed refresh keeps the last grid on screen, under the time it is from. */
  refreshFailed(why: string): void {
    this.refreshProblem = `refresh failed: ${why}`;
  }

  hostFailed(why: string): void {
    this.hostProblem = why;
  }

  onKey(key: Key): void {
    this.hostProblem = undefined;
    this.ui = reduceFleetKey(
      this.ui,
      key,
      fleetRows(this.model()).map((h) => h.name),
    );
  }

  hostOpened(): void {
    this.ui = { ...this.ui, open: undefined };
  }

  host(name: string) {
    return this.fleet?.hosts.find((h) => h.name === name);
  }

  model(): FleetScreenModel {
    return {
      ...this.meta,
      ui: this.ui,
      fleet: this.fleet,
      refreshedAt: this.refreshedAt,
      notice: [this.hostProblem, this.refreshProblem].filter(Boolean).join('; ') || undefined,
    };
  }
}

/**
 * Runs the fleet screen until the user quits: a refresh from Prometheus every interval, and on
 * `enter` the host's live view (top's, on its feed) in the same terminal session.
 */
export async function runFleet(first: Fleet, opts: FleetOptions): Promise<void> {
  const controller = new FleetController({
    prometheus: opts.client.base.toString(),
    selector: opts.selector,
    intervalMs: opts.intervalMs,
  });
  controller.onFleet(first, Date.now());
  const screen = { color: colorEnabled(opts.env, opts.stdout.isTTY === true), unicode: unicodeEnabled(opts.env) };
  const writer = new LineDiffWriter(opts.stdout);
  let inHost = false;
  let quit = () => {};
  const done = new Promise<void>((resolve) => {
    quit = resolve;
  });
  const redraw = () => {
    if (inHost) return;
    const { cols, rows } = session.size;
    writer.draw(renderFleetScreen(controller.model(), { cols, rows, ...screen }));
  };

  const openHost = async (name: string) => {
    controller.hostOpened();
    const host = controller.host(name);
    if (!host) {
      controller.hostFailed(`${name} is no longer in the fleet`);
      return;
    }
    inHost = true;
    const abort = new AbortController();
    try {
      // top's view and the feed client are loaded on the first enter: the grid alone stays small.
      const [{ runTop }, source] = await Promise.all([import('./app.js'), opts.openFeed(host, abort.signal)]);
      await runTop(source, {
        stdin: opts.stdin,
        stdout: opts.stdout,
        env: opts.env,
        within: { session, leavesOn: leavesHostView },
      });
    } catch (err) {
      // A refusal names the feed's URL, and with it the host.
      const message = (err as Error).message;
      controller.hostFailed(message.includes(name) ? message : `${name}: ${message}`);
    } finally {
      abort.abort();
      inHost = false;
      writer.invalidate();
      redraw();
    }
  };

  const session = new TerminalSession(opts, {
    onKey: (key) => {
      controller.onKey(key);
      if (controller.ui.quit) quit();
      else if (controller.ui.open !== undefined) void openHost(controller.ui.open);
      redraw();
    },
    onResize: () => {
      writer.invalidate();
      redraw();
    },
  });

  const stopRefreshing = refreshEvery(opts, controller, redraw);
  redraw();
  try {
    await done;
  } finally {
    stopRefreshing();
    session.restore();
  }
}

/** Reads the fleet every interval, each refresh after the previous one answered; returns the stop. */
function refreshEvery(
  opts: Pick<FleetOptions, 'client' | 'selector' | 'intervalMs'>,
  controller: FleetController,
  redraw: () => void,
): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const refresh = async () => {
    try {
      controller.onFleet(buildFleet(await opts.client.readFleet(opts.selector)), Date.now());
    } catch (err) {
      controller.refreshFailed((err as Error).message);
    }
    if (stopped) return;
    redraw();
    timer = setTimeout(refresh, opts.intervalMs);
  };
  timer = setTimeout(refresh, opts.intervalMs);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

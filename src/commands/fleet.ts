import { type Command, Option } from 'commander';

interface FleetFlags {
  prometheus: string;
  selector: string;
  format: 'tui' | 'json';
  feedLabel?: string;
  feedMap?: string;
  prometheusTokenFile?: string;
  prometheusBasicAuthFile?: string;
  prometheusCaFile?: string;
  agentTokenFile?: string;
  agentCaFile?: string;
}

/** Used when Prometheus does not say the targets' scrape interval: its own default. */
const DEFAULT_REFRESH_MS = 60_000;

/** A secret from a file: the token file's rules (one word, a warning when others can read it). */
async function readSecret(flag: string, file: string): Promise<string> {
  const { readTokenFile } = await import('../config/token-file.js');
  const read = await readTokenFile(file);
  if ('problem' in read) throw new Error(`${flag}: ${read.problem}`);
  if (read.warning) process.stderr.write(`usewatch fleet: ${flag}: ${read.warning}\n`);
  return read.token;
}

async function readBasicAuth(file: string): Promise<string> {
  const secret = await readSecret('--prometheus-basic-auth-file', file);
  if (!secret.includes(':'))
    throw new Error(`--prometheus-basic-auth-file: ${file} must hold user:password on one line`);
  return secret;
}

async function readCa(flag: string, file: string): Promise<string> {
  const { readInputText } = await import('../config/input-file.js');
  try {
    return await readInputText(file);
  } catch (err) {
    throw new Error(`${flag}: ${(err as Error).message}`);
  }
}

async function prometheusClient(flags: FleetFlags) {
  if (flags.prometheusTokenFile && flags.prometheusBasicAuthFile)
    throw new Error('--prometheus-token-file and --prometheus-basic-auth-file cannot go together: choose one');
  const { PrometheusClient } = await import('../fleet/query.js');
  return new PrometheusClient(flags.prometheus, {
    token: flags.prometheusTokenFile && (await readSecret('--prometheus-token-file', flags.prometheusTokenFile)),
    basic: flags.prometheusBasicAuthFile && (await readBasicAuth(flags.prometheusBasicAuthFile)),
    ca: flags.prometheusCaFile && (await readCa('--prometheus-ca-file', flags.prometheusCaFile)),
  });
}

async function fleet(flags: FleetFlags): Promise<void> {
  if (flags.format === 'tui') {
    // Before anything is loaded or read: resolving the modules below made the optimising compiler
    // start (3 MB of its code paged in), and the first read's parse would grow the young
    // generation to V8's maximum (16 MB of semi-spaces) for good.
    const { useSmallFootprint } = await import('../tui/footprint.js');
    useSmallFootprint();
  }
  const { fleetQueries } = await import('../fleet/query.js');
  fleetQueries(flags.selector);
  const client = await prometheusClient(flags);
  const { buildFleet, sortHosts } = await import('../fleet/model.js');
  const responses = await client.readFleet(flags.selector);
  const first = buildFleet(responses);
  if (first.hosts.length === 0) {
    const which = flags.selector ? `the selector ${flags.selector}` : 'any target';
    throw new Error(
      `no usewatch series found for ${which} in Prometheus at ${client.base} (no usewatch_use_status or usewatch_finding_* series; ${responses.up.length} target(s) with up)`,
    );
  }
  if (flags.format === 'json') {
    const { fleetJson } = await import('../fleet/json.js');
    const shown = { ...first, hosts: sortHosts(first.hosts) };
    process.stdout.write(
      `${JSON.stringify(fleetJson(shown, { prometheus: client.base.toString(), selector: flags.selector, time: Date.now() }), null, 2)}\n`,
    );
    return;
  }
  if (!process.stdout.isTTY || !process.stdin.isTTY)
    throw new Error('fleet needs a terminal on stdin and stdout; for scripts use --format json');
  await runFleetView(flags, client, first);
}

async function runFleetView(
  flags: FleetFlags,
  client: import('../fleet/query.js').PrometheusClient,
  first: import('../fleet/model.js').Fleet,
): Promise<void> {
  const { runFleet } = await import('../tui/fleet-app.js');
  const map = flags.feedMap ? await (await import('../fleet/feed-map.js')).readFeedMap(flags.feedMap) : undefined;
  const token = flags.agentTokenFile && (await readSecret('--agent-token-file', flags.agentTokenFile));
  const ca = flags.agentCaFile && (await readCa('--agent-ca-file', flags.agentCaFile));
  const intervalMs =
    (await client.scrapeIntervalMs(new Set(first.hosts.map((h) => h.name))).catch(() => undefined)) ??
    DEFAULT_REFRESH_MS;
  await runFleet(first, {
    stdin: process.stdin,
    stdout: process.stdout,
    env: process.env,
    client,
    selector: flags.selector,
    intervalMs,
    openFeed: async (host, signal) => {
      const [{ feedAddress }, { connectFeed }] = await Promise.all([
        import('../fleet/feed-address.js'),
        import('../feed/client.js'),
      ]);
      const address = feedAddress(host, { map, label: flags.feedLabel, tls: ca !== undefined });
      if ('problem' in address) throw new Error(address.problem);
      return connectFeed(address.url, { token, ca, signal });
    },
  });
  // A host view's feed that is slow to close must not keep a quit fleet alive.
  setTimeout(() => process.exit(process.exitCode ?? 0), 500).unref();
}

export function register(program: Command): void {
  program
    .command('fleet')
    .description("the fleet's USE matrix from Prometheus, worst hosts first; enter opens a host's live view")
    .requiredOption('--prometheus <url>', 'Prometheus base URL, e.g. http://prometheus:9090')
    .option('--selector <matchers>', 'label matchers of the usewatch targets, e.g. {job="usewatch"}', '')
    .addOption(
      new Option('--format <format>', 'tui: the live grid; json: the grid once, for scripts')
        .choices(['tui', 'json'])
        .default('tui'),
    )
    .option('--feed-label <name>', "a target label holding the agent's address, for its live view")
    .option('--feed-map <file>', 'YAML mapping of host (instance label) to feed URL, for live views')
    .option('--prometheus-token-file <file>', 'bearer token for Prometheus, read from this file')
    .option('--prometheus-basic-auth-file <file>', 'user:password for Prometheus, read from this file')
    .option('--prometheus-ca-file <file>', "CA certificate (PEM) of Prometheus' TLS")
    .option('--agent-token-file <file>', "bearer token for the agents' feeds, read from this file")
    .option('--agent-ca-file <file>', "CA certificate (PEM) of the agents' TLS (feeds become wss://)")
    .action(async (flags: FleetFlags) => {
      await fleet(flags);
    });
}

import type { Command } from 'commander';
import { DEFAULT_CGROUPS_TOP, DEFAULT_CONFIG_FILE, DEFAULT_LISTEN } from '../config/defaults.js';
import { keepRunningOnClosedPipes } from '../log/pipes.js';
import { collect } from './repeatable.js';

interface AgentFlags {
  listen?: string;
  interval?: string;
  config?: string;
  checklist?: string[];
  tokenFile?: string;
  insecureNoAuth?: boolean;
  tlsCert?: string;
  tlsKey?: string;
  allowHost?: string[];
  logLevel?: string;
  otlpEndpoint?: string;
  otlpProtocol?: string;
  otlpHeader?: string[];
  otlpInterval?: string;
  record?: string;
  cgroupsTop?: string;
  printConfig?: boolean;
  root?: string;
}

/**
 * `usewatch agent`. No defaults are given to commander: an absent flag must not hide the value from
 * the config file or the environment (flags > USEWATCH_* > file > defaults).
 */
export function register(program: Command): void {
  program
    .command('agent')
    .description('run the agent: sample every interval, serve /metrics, /healthz and the /feed WebSocket on one port')
    .option('--listen <host:port>', `address to serve on (default ${DEFAULT_LISTEN}); non-loopback needs a token`)
    .option('--interval <duration>', 'sampling interval, e.g. 1s or 500ms (default 1s)')
    .option('--config <file>', `YAML config file (default ${DEFAULT_CONFIG_FILE} when present)`)
    .option('--checklist <path>', 'extra checklist file or directory (repeatable)', collect)
    .option('--token-file <file>', 'file holding the bearer token clients must present')
    .option('--insecure-no-auth', 'serve a non-loopback address without a token (explicit opt-out)')
    .option('--tls-cert <file>', 'TLS certificate (PEM); serve HTTPS with --tls-key')
    .option('--tls-key <file>', 'TLS private key (PEM)')
    .option(
      '--allow-host <name>',
      'extra name accepted in the Host header (repeatable; "*" turns the check off)',
      collect,
    )
    .option('--log-level <level>', 'trace, debug, info, warn, error, fatal or silent (default info)')
    .option('--otlp-endpoint <url>', 'export metrics over OTLP to this collector base URL (off by default)')
    .option('--otlp-protocol <protocol>', 'http/protobuf (default), http/json or grpc')
    .option('--otlp-header <key=value>', 'header sent with every OTLP export (repeatable)', collect)
    .option('--otlp-interval <duration>', 'how often to export over OTLP (default 10s)')
    .option('--record <dir>', 'record frames into DIR: rotated, compressed, last 24 h within 200 MB')
    .option(
      '--cgroups-top <n>',
      `workload cgroups carried in frames by activity, besides those with a finding (default ${DEFAULT_CGROUPS_TOP})`,
    )
    .option('--print-config', 'print the effective configuration and exit')
    .option(
      '--root <dir>',
      "read /proc, /sys and os-release under DIR (a container with the host's mounted there; default /)",
    )
    .action(async (flags: AgentFlags) => {
      keepRunningOnClosedPipes();
      const v8Profile = await startV8Profile();
      const { runAgent } = await import('../agent/run.js');
      process.exitCode = await runAgent({
        sources: {
          file: flags.config,
          flags: {
            '--listen': flags.listen,
            '--interval': flags.interval,
            '--checklist': flags.checklist,
            '--token-file': flags.tokenFile,
            '--insecure-no-auth': flags.insecureNoAuth,
            '--tls-cert': flags.tlsCert,
            '--tls-key': flags.tlsKey,
            '--allow-host': flags.allowHost,
            '--log-level': flags.logLevel,
            '--otlp-endpoint': flags.otlpEndpoint,
            '--otlp-protocol': flags.otlpProtocol,
            '--otlp-header': flags.otlpHeader,
            '--otlp-interval': flags.otlpInterval,
            '--record': flags.record,
            '--cgroups-top': flags.cgroupsTop,
          },
        },
        printConfig: flags.printConfig,
        root: flags.root,
        v8Profile,
      });
      // Handles such as an open /dev/kmsg may outlive the agent's stop; the work is done.
      process.exit(process.exitCode ?? 0);
    });
}

/**
 * A small host's V8 settings, set before the agent's code runs, and a big host's once the host has
 * more than BIG_HOST_PROCESSES; none when the operator set V8's tiers themselves.
 */
async function startV8Profile() {
  const { V8Profile, operatorTunedV8 } = await import('../agent/v8-profile.js');
  if (operatorTunedV8(process.execArgv, process.env.NODE_OPTIONS)) return undefined;
  const profile = new V8Profile();
  profile.start();
  return profile;
}

import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface InstallOptions {
  /** Prefix for every written path (a staging root); "/" installs for real. */
  destdir: string;
  unitDir: string;
  configDir: string;
  /** Install the variant without capabilities (no per-process I/O of other users' processes). */
  noCaps: boolean;
  /** Absolute node binary and CLI script the unit will run. */
  nodePath: string;
  cliPath: string;
}

export interface InstallResult {
  /** Problems the operator must fix before the unit can start. */
  warnings: string[];
  unitPath: string;
  configPath: string;
  configCreated: boolean;
  nextSteps: string;
}

const packageRoot = fileURLToPath(new URL('../../../', import.meta.url));

function packageFile(rel: string): string {
  // Built code runs from dist/src/systemd; under vitest from src/systemd.
  for (const root of [packageRoot, fileURLToPath(new URL('../../', import.meta.url))]) {
    const p = join(root, rel);
    if (existsSync(p)) return p;
  }
  throw new Error(`${rel} is missing from the usewatch package`);
}

const EXEC_START = /^ExecStart=(.*)$/m;

/**
 * The Node flags of a unit: the words of its ExecStart between the node binary and the CLI script
 * (V8's settings for a long-running daemon, docs/service.md).
 */
export function unitNodeFlags(unit: string): string[] {
  const words = EXEC_START.exec(unit)?.[1].trim().split(/\s+/) ?? [];
  const cli = words.findIndex((w) => w.endsWith('.js'));
  return cli < 1 ? [] : words.slice(1, cli);
}

/** The shipped unit with ExecStart pointing at this installation, keeping the unit's Node flags. */
export function renderUnit(opts: Pick<InstallOptions, 'noCaps' | 'nodePath' | 'cliPath' | 'configDir'>): string {
  const template = readFileSync(
    packageFile(opts.noCaps ? 'deploy/systemd/usewatch-nocaps.service' : 'deploy/systemd/usewatch.service'),
    'utf8',
  );
  const command = [opts.nodePath, ...unitNodeFlags(template), opts.cliPath, 'agent', '--config'];
  return template.replace(EXEC_START, `ExecStart=${command.join(' ')} ${join(opts.configDir, 'config.yaml')}`);
}

/** ProtectHome=yes hides these from the service: a node or a checkout there cannot be started by the unit. */
const HIDDEN_BY_PROTECT_HOME = ['/home/', '/root/', '/run/user/'];

function hiddenFromService(path: string): boolean {
  return HIDDEN_BY_PROTECT_HOME.some((dir) => path.startsWith(dir));
}

/** Writes the unit and, unless one exists, a commented default config; never overwrites a config. */
export function installService(opts: InstallOptions): InstallResult {
  const unitPath = join(opts.destdir, opts.unitDir, 'usewatch.service');
  const configPath = join(opts.destdir, opts.configDir, 'config.yaml');
  mkdirSync(dirname(unitPath), { recursive: true });
  writeFileSync(unitPath, renderUnit(opts), { mode: 0o644 });
  mkdirSync(dirname(configPath), { recursive: true, mode: 0o755 });
  const configCreated = !existsSync(configPath);
  if (configCreated)
    writeFileSync(configPath, readFileSync(packageFile('deploy/config.example.yaml')), { mode: 0o644 });
  const warnings = [opts.nodePath, opts.cliPath]
    .filter(hiddenFromService)
    .map(
      (path) =>
        `${path} is under /home, /root or /run/user, which the unit hides (ProtectHome=yes): install node and ` +
        'usewatch under /usr or /opt (e.g. `npm install -g usewatch` with a system node) and run install-service again',
    );
  const nextSteps = [
    `Installed ${unitPath}${configCreated ? ` and ${configPath}` : ` (kept the existing ${configPath})`}.`,
    'Next:',
    '  systemctl daemon-reload',
    '  systemctl enable --now usewatch',
    '  systemctl status usewatch        # "Active: active (running)", Status: ticking …',
    '  curl -s http://127.0.0.1:9733/healthz',
    'Prometheus scrape job (prometheus.yml):',
    '  scrape_configs:',
    '    - job_name: \'node\'              # the node-mixin rules and dashboards select job="node"',
    '      scrape_interval: 15s',
    '      static_configs:',
    "        - targets: ['127.0.0.1:9733']",
    'To scrape from another host, set `listen` and `token_file` in the config (see docs/agent.md),',
    'and give Prometheus the token with `authorization: { credentials_file: /path/to/token }`.',
  ].join('\n');
  return { warnings, unitPath, configPath, configCreated, nextSteps };
}

/** The CLI script of this installation, resolved through npm's bin symlinks. */
export function currentCliPath(): string {
  return realpathSync(process.argv[1] ?? fileURLToPath(new URL('../../bin/usewatch.js', import.meta.url)));
}

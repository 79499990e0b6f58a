import { DURATION_HINT, parseDuration } from '../../src/checklist/duration.js';
import { unitNodeFlags } from '../../src/systemd/install.js';

/** How the whole-process section runs; every field has a flag or an environment variable. */
export interface WholeOptions {
  /** Processes on the host during the run; a smaller host is topped up with idle children. */
  processes: number;
  /** Seconds each subject runs, scraped or reading at 1 Hz, before its window opens. */
  warmupS: number;
  /** Seconds of the measured window. */
  windowS: number;
  /** 'keep-alive' reuses one connection per exporter, as Prometheus does; 'new' opens one per scrape. */
  connection: 'keep-alive' | 'new';
  /** Seconds of RSS sampling of the agent after the window; 0 for none. */
  soakS: number;
  /** Seconds between two soak samples. */
  soakSampleS: number;
  /** Run the agent under `node --cpu-prof` and print its self time by module folder over the window. */
  cpuProf: boolean;
  /**
   * Another build's root (a directory holding `dist/bin/usewatch.js`, `checklists/` and `node_modules`): its
   * agent runs beside this one, started and scraped the same way, and the two are compared.
   */
  baseline?: string;
}

type Env = Record<string, string | undefined>;

function seconds(text: string, where: string): number {
  const ms = parseDuration(/^\d+(\.\d+)?$/.test(text) ? `${text}s` : text);
  if (ms === undefined || ms <= 0)
    throw new Error(`bench whole: ${where} is ${JSON.stringify(text)}, expected ${DURATION_HINT}`);
  return ms / 1000;
}

function count(text: string, where: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`bench whole: ${where} is ${JSON.stringify(text)}, expected a whole number ≥ 1`);
  return n;
}

/** The value after a flag, or undefined when the flag is absent; a flag at the end is an error. */
function flagValue(argv: string[], flag: string): string | undefined {
  const at = argv.indexOf(flag);
  if (at < 0) return undefined;
  const value = argv[at + 1];
  if (value === undefined || value.startsWith('--')) throw new Error(`bench whole: ${flag} needs a value`);
  return value;
}

/** Flags win over the environment; a bare number of seconds is accepted wherever a duration is. */
export function parseWholeOptions(argv: string[], env: Env): WholeOptions {
  const pick = (flag: string, variable: string) =>
    flagValue(argv, flag) !== undefined
      ? { text: flagValue(argv, flag) as string, where: flag }
      : env[variable] !== undefined
        ? { text: env[variable] as string, where: variable }
        : undefined;
  const procs = pick('--procs', 'USEWATCH_BENCH_WHOLE_PROCS');
  const warmup = pick('--warmup', 'USEWATCH_BENCH_WHOLE_WARMUP');
  const window = pick('--window', 'USEWATCH_BENCH_WHOLE_SECONDS');
  const soak = pick('--soak', 'USEWATCH_BENCH_SOAK');
  const sample = pick('--soak-sample', 'USEWATCH_BENCH_SOAK_SAMPLE');
  const baseline = pick('--baseline', 'USEWATCH_BENCH_BASELINE');
  const connection =
    argv.includes('--new-connection') || env.USEWATCH_BENCH_NEW_CONNECTION === '1' ? 'new' : 'keep-alive';
  return {
    processes: procs === undefined ? 100 : count(procs.text, procs.where),
    warmupS: warmup === undefined ? 120 : seconds(warmup.text, warmup.where),
    windowS: window === undefined ? 60 : seconds(window.text, window.where),
    connection,
    soakS: soak === undefined ? 0 : seconds(soak.text, soak.where),
    soakSampleS: sample === undefined ? 60 : seconds(sample.text, sample.where),
    cpuProf: argv.includes('--cpu-prof') || env.USEWATCH_BENCH_CPU_PROF === '1',
    ...(baseline !== undefined && { baseline: baseline.text }),
  };
}

/** How the shipped systemd unit starts Node: its Environment= settings and the Node flags before the CLI. */
export interface UnitLaunch {
  env: Record<string, string>;
  nodeFlags: string[];
}

/**
 * Reads `Environment=` lines, and the Node flags as `usewatch install-service` takes them
 * (unitNodeFlags); an error when ExecStart does not run node on a `.js` CLI, since the bench would
 * then run the agent unlike the unit does.
 */
export function unitLaunch(unitText: string, unitPath: string): UnitLaunch {
  const env: Record<string, string> = {};
  let exec: string | undefined;
  for (const line of unitText.split('\n')) {
    const m = /^(Environment|ExecStart)=(.*)$/.exec(line.trim());
    if (m === null) continue;
    if (m[1] === 'ExecStart') exec = m[2];
    else
      for (const pair of m[2].split(/\s+/)) {
        const eq = pair.indexOf('=');
        if (eq > 0) env[pair.slice(0, eq)] = pair.slice(eq + 1);
      }
  }
  if (!(exec?.split(/\s+/) ?? []).some((w, i) => i > 0 && w.endsWith('.js')))
    throw new Error(`${unitPath}: ExecStart does not run node on a .js CLI: ${JSON.stringify(exec ?? '')}`);
  return { env, nodeFlags: unitNodeFlags(unitText) };
}

/** The built CLI of a baseline build's root; an error naming the flag when it is not there. */
export function baselineBin(root: string, exists: (path: string) => boolean): string {
  const bin = `${root.replace(/\/+$/, '')}/dist/bin/usewatch.js`;
  if (!exists(bin)) {
    throw new Error(
      `bench whole: --baseline ${root}: no ${bin} (a build's root: npm run build there, or copy its dist/, checklists/, package.json and node_modules/)`,
    );
  }
  return bin;
}

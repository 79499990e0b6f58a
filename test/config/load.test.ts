import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { DEFAULT_LISTEN } from '../../src/config/defaults.js';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { formatConfig } from '../../src/config/print.js';

let dir: string;
const NONE = '/nonexistent/usewatch/config.yaml';

async function file(name: string, text: string): Promise<string> {
  const p = join(dir, name);
  await writeFile(p, text);
  return p;
}

async function problems(p: Promise<unknown>): Promise<string[]> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'usewatch-config-'));
});

describe('precedence', () => {
  test('defaults when nothing is given', async () => {
    const { config } = await loadConfig({ env: {}, defaultFile: NONE });
    expect(config.listen).toBe(DEFAULT_LISTEN);
    expect(config.interval).toBe(1000);
    expect(config.limits.max_header_bytes).toBe(8192);
    expect(config.config_file).toBeUndefined();
  });

  test('file < env < flags, per key', async () => {
    const f = await file('prec.yaml', 'listen: 127.0.0.1:1111\ninterval: 5s\nlog:\n  level: warn\n');
    const { config } = await loadConfig({
      file: f,
      env: { USEWATCH_INTERVAL: '2s', USEWATCH_LISTEN: '127.0.0.1:2222' },
      flags: { '--listen': '127.0.0.1:3333' },
    });
    expect(config.listen).toBe('127.0.0.1:3333'); // flag beats env and file
    expect(config.interval).toBe(2000); // env beats file
    expect(config.log.level).toBe('warn'); // file beats default
    expect(config.config_file).toBe(f);
  });

  test('the default file is read when present, USEWATCH_CONFIG names another', async () => {
    const def = await file('default.yaml', 'interval: 3s\n');
    const other = await file('other.yaml', 'interval: 4s\n');
    expect((await loadConfig({ env: {}, defaultFile: def })).config.interval).toBe(3000);
    expect((await loadConfig({ env: { USEWATCH_CONFIG: other }, defaultFile: def })).config.interval).toBe(4000);
  });

  test('repeatable flags and comma lists from env', async () => {
    const { config } = await loadConfig({
      env: { USEWATCH_ALLOW_HOSTS: 'a.example, b.example' },
      flags: { '--checklist': ['x.yaml', 'y.yaml'] },
      defaultFile: NONE,
    });
    expect(config.allow_hosts).toEqual(['a.example', 'b.example']);
    expect(config.checklists).toEqual(['x.yaml', 'y.yaml']);
  });

  test('a token from the environment beats a token file from the config file', async () => {
    const tf = await file('token1', 'from-the-token-file-0123\n');
    await chmod(tf, 0o600);
    const f = await file('tok.yaml', `token_file: ${tf}\n`);
    expect((await loadConfig({ file: f, env: {} })).config.token).toBe('from-the-token-file-0123');
    const { config } = await loadConfig({ file: f, env: { USEWATCH_TOKEN: 'from-the-environment-456' } });
    expect(config.token).toBe('from-the-environment-456');
    expect(config.token_file).toBeUndefined();
  });
});

describe('errors name where the bad value is', () => {
  test('schema errors as file:line:col', async () => {
    const f = await file(
      'bad.yaml',
      'listen: 127.0.0.1:9733\nlimits:\n  max_connections: -4\n  headers_timeout: soon\n',
    );
    const p = await problems(loadConfig({ file: f, env: {} }));
    expect(p).toContain(`${f}:3:20: limits.max_connections: Too small: expected number to be >=1`);
    expect(p.some((x) => x.startsWith(`${f}:4:20: limits.headers_timeout: expected a duration`))).toBe(true);
  });

  test('the per-cgroup series are on by default and switched off per output', async () => {
    const { config: defaults } = await loadConfig({ env: {}, defaultFile: NONE });
    expect([defaults.prometheus.cgroups, defaults.otlp.cgroups]).toEqual([true, true]);
    const off = await file('no-cgroups.yaml', 'prometheus:\n  cgroups: false\notlp:\n  cgroups: false\n');
    const { config } = await loadConfig({ file: off, env: {} });
    expect([config.prometheus.cgroups, config.otlp.cgroups]).toEqual([false, false]);
    const bad = await file('bad-cgroups.yaml', 'prometheus:\n  cgroups: some\n');
    const p = await problems(loadConfig({ file: bad, env: {} }));
    expect(p.some((x) => x.startsWith(`${bad}:2:12: prometheus.cgroups:`))).toBe(true);
  });

  test('feed client caps above 1024 are refused, so queued output stays bounded', async () => {
    const f = await file('caps.yaml', 'limits:\n  max_connections: 100000\n  max_connections_per_ip: 2000\n');
    const p = await problems(loadConfig({ file: f, env: {} }));
    expect(p).toContain(`${f}:2:20: limits.max_connections: Too big: expected number to be <=1024`);
    expect(p).toContain(`${f}:3:27: limits.max_connections_per_ip: Too big: expected number to be <=1024`);
  });

  test('an unknown key points at the key', async () => {
    const f = await file('typo.yaml', 'log:\n  levle: debug\n');
    expect(await problems(loadConfig({ file: f, env: {} }))).toEqual([`${f}:2:3: log.levle: unknown setting "levle"`]);
  });

  test('YAML syntax errors keep their position', async () => {
    const f = await file('syntax.yaml', 'listen: [unclosed\n');
    const [p] = await problems(loadConfig({ file: f, env: {} }));
    expect(p).toMatch(new RegExp(`^${f}:\\d+:\\d+: `));
  });

  test('env and flag values are named by variable and flag', async () => {
    const p = await problems(
      loadConfig({ env: { USEWATCH_INTERVAL: 'fast' }, flags: { '--listen': 'nowhere' }, defaultFile: NONE }),
    );
    expect(p).toContain('--listen: listen: expected HOST:PORT such as "127.0.0.1:9733" or "[::1]:9733", got "nowhere"');
    expect(p.some((x) => x.startsWith('environment USEWATCH_INTERVAL: interval: expected a duration'))).toBe(true);
  });

  test('a secret written in the config file is refused', async () => {
    const f = await file('secret.yaml', 'interval: 1s\ntoken: abcdefabcdefabcdef\n');
    expect(await problems(loadConfig({ file: f, env: {} }))).toEqual([
      `${f}:2:1: token: put the token in a file and name it with token_file`,
    ]);
  });

  test('a missing explicit config file is an error; a missing default file is not', async () => {
    expect(await problems(loadConfig({ file: join(dir, 'absent.yaml'), env: {} }))).toEqual([
      `${join(dir, 'absent.yaml')}: cannot read the config file: ENOENT`,
    ]);
  });
});

describe('security settings', () => {
  test('a non-loopback listen address needs a token or the explicit opt-out', async () => {
    const [p] = await problems(loadConfig({ flags: { '--listen': '0.0.0.0:9733' }, env: {}, defaultFile: NONE }));
    expect(p).toMatch(/^--listen: 0\.0\.0\.0:9733 is reachable from other hosts: give a bearer token/);
    const insecure = await loadConfig({
      flags: { '--listen': '0.0.0.0:9733', '--insecure-no-auth': true },
      env: {},
      defaultFile: NONE,
    });
    expect(insecure.config.insecure_no_auth).toBe(true);
    const withToken = await loadConfig({
      flags: { '--listen': '0.0.0.0:9733' },
      env: { USEWATCH_TOKEN: 'a-long-enough-token-1234' },
      defaultFile: NONE,
    });
    expect(withToken.config.token).toBe('a-long-enough-token-1234');
  });

  test('short tokens and unreadable token files are refused', async () => {
    expect(await problems(loadConfig({ env: { USEWATCH_TOKEN: 'short' }, defaultFile: NONE }))).toEqual([
      'environment USEWATCH_TOKEN: the token is shorter than 16 characters',
    ]);
    const [p] = await problems(
      loadConfig({ flags: { '--token-file': join(dir, 'no-token') }, env: {}, defaultFile: NONE }),
    );
    expect(p).toBe(`--token-file: cannot read token file ${join(dir, 'no-token')}: ENOENT`);
  });

  test('a token file readable by others gives a warning', async () => {
    const tf = await file('open-token', 'world-readable-token-0000\n');
    await chmod(tf, 0o644);
    const { warnings } = await loadConfig({ flags: { '--token-file': tf }, env: {}, defaultFile: NONE });
    expect(warnings).toEqual([`token file ${tf} can be read by other users (mode 644): chmod 600 it`]);
  });

  test('tls needs both files', async () => {
    const [p] = await problems(loadConfig({ flags: { '--tls-cert': '/x/cert.pem' }, env: {}, defaultFile: NONE }));
    expect(p).toBe('--tls-cert: tls: give both tls.cert and tls.key, or neither');
  });
});

test('--print-config shows durations as written and never the token', async () => {
  const { config } = await loadConfig({
    env: { USEWATCH_TOKEN: 'never-print-this-token-1' },
    flags: { '--interval': '500ms' },
    defaultFile: NONE,
  });
  const text = formatConfig(config);
  expect(text).toContain('interval: 500ms');
  expect(text).toContain('headers_timeout: 10s');
  expect(text).toContain('# bearer token: set');
  expect(text).not.toContain('never-print-this-token-1');
  const f = await file('roundtrip.yaml', text);
  expect((await loadConfig({ file: f, env: {} })).config.interval).toBe(500);
});

const ALIAS_BOMB = fileURLToPath(new URL('../fixtures/hostile/alias-bomb.yaml', import.meta.url));

describe('hostile config files', () => {
  test('__proto__, constructor and prototype keys are refused where written, and reach no prototype', async () => {
    const f = await file(
      'proto.yaml',
      '__proto__:\n  token: polluted-token-000000\nlog:\n  constructor:\n    prototype:\n      level: debug\n',
    );
    expect(await problems(loadConfig({ file: f, env: {} }))).toEqual([
      `${f}:1:1: "__proto__" is not allowed as a key`,
      `${f}:4:3: "constructor" is not allowed as a key`,
      `${f}:5:5: "prototype" is not allowed as a key`,
    ]);
    expect(({} as Record<string, unknown>).token).toBeUndefined();
    expect(Object.hasOwn(Object.prototype, 'token')).toBe(false);
    // The next load, a valid one, is unaffected.
    const ok = await file('after-proto.yaml', 'interval: 2s\n');
    expect((await loadConfig({ file: ok, env: {} })).config.interval).toBe(2000);
  });

  test('an alias bomb is refused, naming the file and the first alias', async () => {
    expect(await problems(loadConfig({ file: ALIAS_BOMB, env: {} }))).toEqual([
      `${ALIAS_BOMB}:3:8: cannot expand the document: more than 100 alias expansions (an alias bomb?)`,
    ]);
  });

  test('nesting past the limit is refused before parsing, with its position', async () => {
    const f = await file('deep.yaml', `interval: 1s\nlisten: ${'['.repeat(100_000)}\n`);
    expect(await problems(loadConfig({ file: f, env: {} }))).toEqual([
      `${f}:2:73: nesting deeper than 64 levels of [ and {`,
    ]);
  });

  test('duplicate keys are found without comparing every pair (a file of many keys stays fast)', async () => {
    const many = Array.from({ length: 20_000 }, (_, i) => `k${i}: ${i}`).join('\n');
    const f = await file('many.yaml', `${many}\nk7: again\n`);
    const started = performance.now();
    const p = await problems(loadConfig({ file: f, env: {} }));
    expect(p[0]).toBe(`${f}:20001:1: DUPLICATE_KEY: Map keys must be unique`);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  test('a FIFO, a device or a directory as the config file is refused at once, by name', async () => {
    const fifo = join(dir, 'config-fifo');
    execFileSync('mkfifo', [fifo]);
    expect(await problems(loadConfig({ file: fifo, env: {} }))).toEqual([
      `${fifo}: cannot read the config file: a FIFO, not a regular file`,
    ]);
    expect(await problems(loadConfig({ file: '/dev/zero', env: {} }))).toEqual([
      '/dev/zero: cannot read the config file: a character device, not a regular file',
    ]);
    expect(await problems(loadConfig({ file: dir, env: {} }))).toEqual([
      `${dir}: cannot read the config file: a directory, not a regular file`,
    ]);
  });

  test('at most 100 problems are listed, and how many more there are', async () => {
    const f = await file('many.yaml', `allow_hosts: [${Array(5000).fill('1').join(',')}]\n`);
    const p = await problems(loadConfig({ file: f, env: {} }));
    expect(p).toHaveLength(101);
    expect(p[0]).toBe(`${f}:1:15: allow_hosts.0: Invalid input: expected string, received number`);
    expect(p[100]).toBe('4900 more problem(s) not shown');
  });

  test('a device as the token file is refused by name', async () => {
    expect(await problems(loadConfig({ flags: { '--token-file': '/dev/zero' }, env: {}, defaultFile: NONE }))).toEqual([
      '--token-file: cannot read token file /dev/zero: a character device, not a regular file',
    ]);
  });
});

describe('cgroups.top', () => {
  test('is 5 by default and set by the file, USEWATCH_CGROUPS_TOP and --cgroups-top, in that order of strength', async () => {
    expect((await loadConfig({ env: {}, defaultFile: NONE })).config.cgroups.top).toBe(5);
    const f = await file('cgroups.yaml', 'cgroups:\n  top: 3\n');
    expect((await loadConfig({ file: f, env: {} })).config.cgroups.top).toBe(3);
    expect((await loadConfig({ file: f, env: { USEWATCH_CGROUPS_TOP: '4' } })).config.cgroups.top).toBe(4);
    const flagged = await loadConfig({ file: f, env: { USEWATCH_CGROUPS_TOP: '4' }, flags: { '--cgroups-top': '0' } });
    expect(flagged.config.cgroups.top).toBe(0);
  });

  test('refuses a count out of range or not a whole number, naming where it came from', async () => {
    const f = await file('cgroups-bad.yaml', 'cgroups:\n  top: 1000\n');
    const [fromFile] = await problems(loadConfig({ file: f, env: {} }));
    expect(fromFile).toMatch(new RegExp(`^${f}:2:8: cgroups.top: .*200`));
    const [fromFlag] = await problems(loadConfig({ flags: { '--cgroups-top': 'ten' }, env: {}, defaultFile: NONE }));
    expect(fromFlag).toMatch(/--cgroups-top.*expected an integer, got "ten"/);
  });
});

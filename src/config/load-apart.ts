import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError } from './error.js';
import type { ConfigSources, LoadedConfig } from './load.js';

/**
 * The agent's configuration, loaded in a short-lived child process (load-child.ts): validating it
 * takes yaml and zod, which once imported would stay in the daemon's memory for good (about 3 MB
 * of heap, more of RSS) for a file read at start and on SIGHUP. The child answers in JSON; its
 * problems come back as the same ConfigError, file:line:col and all.
 */

/** The sources as the child reads them; `env` null means its own environment, which is the agent's. */
export type ConfigRequest = Omit<ConfigSources, 'env'> & { env: NodeJS.ProcessEnv | null };

export type ConfigAnswer =
  | ({ ok: true } & LoadedConfig)
  | { ok: false; problems: string[] }
  | { ok: false; failure: string };

/** The built child beside this module; from the TypeScript sources (tests) the loader runs in-process. */
const CHILD = fileURLToPath(new URL('./load-child.js', import.meta.url));

/** A configuration longer than this is not one: the child is stopped rather than read further. */
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;
/** Files are read with checks against FIFOs and devices; a child still running after this is stopped. */
const TIMEOUT_MS = 30_000;

export async function loadConfigApart(sources: ConfigSources): Promise<LoadedConfig> {
  if (!existsSync(CHILD)) return (await import('./load.js')).loadConfig(sources);
  const request: ConfigRequest = { ...sources, env: sources.env ?? null };
  const answer = await askChild(JSON.stringify(request));
  if (answer.ok) return { config: answer.config, warnings: answer.warnings };
  if ('problems' in answer) throw new ConfigError(answer.problems);
  throw new Error(`loading the configuration failed: ${answer.failure}`);
}

/** Runs the loader script `script` with the request on its stdin; any failure of it is a rejection. */
export function askChild(request: string, script = CHILD): Promise<ConfigAnswer> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [script],
      { timeout: TIMEOUT_MS, maxBuffer: MAX_ANSWER_BYTES, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`loading the configuration failed: ${stderr.trim() || err.message}`));
        try {
          resolve(JSON.parse(stdout) as ConfigAnswer);
        } catch {
          reject(
            new Error(`loading the configuration failed: the loader answered ${JSON.stringify(stdout.slice(0, 200))}`),
          );
        }
      },
    );
    // A child that ends before reading its request fails through the callback above, not here.
    child.stdin?.on('error', () => {});
    child.stdin?.end(request);
  });
}

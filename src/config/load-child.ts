/**
 * Run as a child process by `loadConfigApart` (load-apart.ts): reads the configuration's sources as
 * one JSON object on stdin, loads and validates them (yaml, zod) and prints the outcome as one JSON
 * object, so that neither library loads into the agent.
 */
import { text } from 'node:stream/consumers';
import { ConfigError } from './error.js';
import { loadConfig } from './load.js';
import type { ConfigAnswer, ConfigRequest } from './load-apart.js';

async function answer(request: ConfigRequest): Promise<ConfigAnswer> {
  try {
    const { config, warnings } = await loadConfig({ ...request, env: request.env ?? process.env });
    return { ok: true, config, warnings };
  } catch (err) {
    if (err instanceof ConfigError) return { ok: false, problems: err.problems };
    return { ok: false, failure: err instanceof Error ? err.message : String(err) };
  }
}

process.stdout.write(`${JSON.stringify(await answer(JSON.parse(await text(process.stdin)) as ConfigRequest))}\n`);

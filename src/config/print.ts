import { stringify } from 'yaml';
import { formatDuration } from '../checklist/duration.js';
import type { AgentConfig } from './schema.js';

/** Settings held in ms inside and written as durations in YAML. */
const DURATION_KEYS = new Set([
  'interval',
  'timeout',
  'headers_timeout',
  'request_timeout',
  'keep_alive_timeout',
  'repeat_summary',
  'statfs_timeout',
  'retention',
]);

/**
 * The effective configuration as YAML that `--config` accepts back. The token is never shown; only
 * whether one is set.
 */
export function formatConfig(config: AgentConfig): string {
  const { token, config_file, otlp_export: _resolved, ...settings } = config;
  const header = [
    `# effective usewatch agent configuration${config_file ? ` (file: ${config_file})` : ' (no config file)'}`,
    `# bearer token: ${token === undefined ? 'none' : 'set'}`,
  ];
  return `${header.join('\n')}\n${stringify(withDurations(settings))}`;
}

function withDurations(value: unknown, key = ''): unknown {
  if (typeof value === 'number' && DURATION_KEYS.has(key)) return formatDuration(value);
  if (Array.isArray(value)) return value;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withDurations(v, k)]));
  }
  return value;
}

/**
 * Every setting that can also come from the environment or a flag: one table, so that the docs,
 * the env reader and the flag reader cannot disagree.
 */
export type OptionKind = 'string' | 'duration' | 'bool' | 'int' | 'list';

export interface SettingOption {
  /** Path in the config object (YAML keys). */
  path: readonly string[];
  env: string;
  /** The long flag, when there is one. */
  flag?: string;
  kind: OptionKind;
}

export const SETTING_OPTIONS: readonly SettingOption[] = [
  { path: ['listen'], env: 'USEWATCH_LISTEN', flag: '--listen', kind: 'string' },
  { path: ['interval'], env: 'USEWATCH_INTERVAL', flag: '--interval', kind: 'duration' },
  { path: ['checklists'], env: 'USEWATCH_CHECKLIST', flag: '--checklist', kind: 'list' },
  { path: ['token_file'], env: 'USEWATCH_TOKEN_FILE', flag: '--token-file', kind: 'string' },
  { path: ['token'], env: 'USEWATCH_TOKEN', kind: 'string' },
  { path: ['insecure_no_auth'], env: 'USEWATCH_INSECURE_NO_AUTH', flag: '--insecure-no-auth', kind: 'bool' },
  { path: ['tls', 'cert'], env: 'USEWATCH_TLS_CERT', flag: '--tls-cert', kind: 'string' },
  { path: ['tls', 'key'], env: 'USEWATCH_TLS_KEY', flag: '--tls-key', kind: 'string' },
  { path: ['allow_hosts'], env: 'USEWATCH_ALLOW_HOSTS', flag: '--allow-host', kind: 'list' },
  { path: ['log', 'level'], env: 'USEWATCH_LOG_LEVEL', flag: '--log-level', kind: 'string' },
  { path: ['prometheus', 'top_processes'], env: 'USEWATCH_TOP_PROCESSES', kind: 'int' },
  { path: ['otlp', 'endpoint'], env: 'USEWATCH_OTLP_ENDPOINT', flag: '--otlp-endpoint', kind: 'string' },
  { path: ['otlp', 'protocol'], env: 'USEWATCH_OTLP_PROTOCOL', flag: '--otlp-protocol', kind: 'string' },
  { path: ['otlp', 'headers'], env: 'USEWATCH_OTLP_HEADERS', flag: '--otlp-header', kind: 'list' },
  { path: ['otlp', 'interval'], env: 'USEWATCH_OTLP_INTERVAL', flag: '--otlp-interval', kind: 'duration' },
  { path: ['otlp', 'timeout'], env: 'USEWATCH_OTLP_TIMEOUT', kind: 'duration' },
  { path: ['otlp', 'compression'], env: 'USEWATCH_OTLP_COMPRESSION', kind: 'string' },
  { path: ['record', 'dir'], env: 'USEWATCH_RECORD', flag: '--record', kind: 'string' },
  { path: ['cgroups', 'top'], env: 'USEWATCH_CGROUPS_TOP', flag: '--cgroups-top', kind: 'int' },
];

/** The environment variable naming the config file (same role as --config). */
export const CONFIG_ENV = 'USEWATCH_CONFIG';

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off', '']);

/** Converts an env or flag string to the option's type, or returns a message saying why it cannot. */
export function convertOptionText(kind: OptionKind, text: string): { value: unknown } | { problem: string } {
  switch (kind) {
    case 'bool': {
      const t = text.trim().toLowerCase();
      if (TRUE.has(t)) return { value: true };
      if (FALSE.has(t)) return { value: false };
      return { problem: `expected true or false (1/0, yes/no), got "${text}"` };
    }
    case 'int': {
      const n = Number(text.trim());
      return Number.isInteger(n) && text.trim() !== ''
        ? { value: n }
        : { problem: `expected an integer, got "${text}"` };
    }
    case 'list':
      return {
        value: text
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s.length > 0),
      };
    default:
      return { value: text };
  }
}

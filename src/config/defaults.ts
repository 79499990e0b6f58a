/**
 * Defaults that commands print in their help. Apart from schema.ts so that `usewatch top`, which
 * loads every command's help, does not load zod (about 6 MB of RSS) for three strings.
 */

/** The agent's default port: outside node_exporter's 9100 and OpenTelemetry's 9464. */
export const DEFAULT_PORT = 9733;
export const DEFAULT_LISTEN = `127.0.0.1:${DEFAULT_PORT}`;
export const DEFAULT_CONFIG_FILE = '/etc/usewatch/config.yaml';
/** Workload cgroups a frame carries by activity (`cgroups.top`); the engine uses it when given none. */
export const DEFAULT_CGROUPS_TOP = 5;

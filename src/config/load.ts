import { stat } from 'node:fs/promises';
import type { Document, LineCounter } from 'yaml';
import type { z } from 'zod';
import { isLoopbackHost } from '../server/auth.js';
import { DEFAULT_CONFIG_FILE } from './defaults.js';
import { ConfigError } from './error.js';
import { InputFileError, readInputText } from './input-file.js';
import { CONFIG_ENV, convertOptionText, SETTING_OPTIONS } from './options.js';
import { resolveOtlpExport } from './otel-env.js';
import { positionOf } from './position.js';
import { type AgentConfig, configSchema, parseListen } from './schema.js';
import { readTokenFile } from './token-file.js';
import { FORBIDDEN_KEYS, MAX_PROBLEMS, parseYamlInput, yamlValues } from './yaml-input.js';

export { ConfigError };

/** Shortest token accepted: a guessable token is worse than an obvious lack of one. */
export const MIN_TOKEN_LENGTH = 16;

export interface ConfigSources {
  /** `--config FILE`; when absent, USEWATCH_CONFIG, then the default file when it exists. */
  file?: string;
  env?: NodeJS.ProcessEnv;
  /** Flag values by long flag name ("--listen"), as commander gives them (strings, string arrays, true). */
  flags?: Record<string, unknown>;
  /** Overrides DEFAULT_CONFIG_FILE (tests). */
  defaultFile?: string;
}

export interface LoadedConfig {
  config: AgentConfig;
  /** Not fatal but worth a log line (a token file others can read). */
  warnings: string[];
}

type Origin = { kind: 'file'; file: string } | { kind: 'env'; name: string } | { kind: 'flag'; flag: string };

interface YamlSource {
  file: string;
  doc: Document;
  lines: LineCounter;
  values: unknown;
}

/** Keys where a layer that sets one hides the other from lower layers: the highest layer's secret wins. */
const EXCLUSIVE_SECRET = ['token', 'token_file'];

/**
 * Builds the effective configuration: defaults < YAML file < USEWATCH_* environment < flags,
 * validated as one object; the OTLP export then lays the result over the standard OTEL_* variables. Errors name the file position, variable or flag the bad value came from.
 */
export async function loadConfig(src: ConfigSources = {}): Promise<LoadedConfig> {
  const env = src.env ?? process.env;
  const problems: string[] = [];
  const layers = new ConfigLayers();
  const yaml = await readYaml(src, env, problems);
  if (yaml) addFileLayer(yaml, layers, problems);
  addEnvLayer(env, layers, problems);
  addFlagLayer(src.flags ?? {}, layers, problems);

  const { config, token } = validate(layers, yaml, problems);
  if (yaml) config.config_file = yaml.file;
  const where = (key: string) => describeOrigin(layers.origins.get(key), [key], yaml);
  const warnings = await resolveToken(config, token, where, problems);
  const otlpExport = resolveOtlpExport(config.otlp, env, problems);
  if (otlpExport) config.otlp_export = otlpExport;
  checkExposure(config, where, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return { config, warnings };
}

/**
 * The settings merged so far, layer over layer, and where each came from, so that a problem found
 * once they are validated together can name the file position, variable or flag to fix.
 */
class ConfigLayers {
  readonly merged: Record<string, unknown> = {};
  readonly origins = new Map<string, Origin>();

  set(path: readonly string[], value: unknown, origin: Origin): void {
    if (path.length === 1 && EXCLUSIVE_SECRET.includes(path[0])) {
      for (const k of EXCLUSIVE_SECRET) {
        delete this.merged[k];
        this.origins.delete(k);
      }
    }
    setIn(this.merged, path, value);
    this.origins.set(path.join('.'), origin);
  }
}

/** The config file's settings; a token written in it is refused (it belongs in a file of its own). */
function addFileLayer(yaml: YamlSource, layers: ConfigLayers, problems: string[]): void {
  const data = yaml.values;
  if (data === null || data === undefined) return;
  if (!isPlainObject(data)) {
    const pos = positionOf(yaml.doc, yaml.lines, []);
    problems.push(`${yaml.file}:${pos?.line ?? 1}:${pos?.col ?? 1}: expected a mapping of settings`);
    return;
  }
  if (Object.hasOwn(data, 'token')) {
    const pos = positionOf(yaml.doc, yaml.lines, ['token'], true);
    problems.push(
      `${yaml.file}:${pos?.line ?? 1}:${pos?.col ?? 1}: token: put the token in a file and name it with token_file`,
    );
    delete data.token;
  }
  for (const [path, value] of leaves(data)) layers.set(path, value, { kind: 'file', file: yaml.file });
}

function addEnvLayer(env: NodeJS.ProcessEnv, layers: ConfigLayers, problems: string[]): void {
  for (const opt of SETTING_OPTIONS) {
    const text = env[opt.env];
    if (text === undefined) continue;
    const converted = convertOptionText(opt.kind, text);
    if ('problem' in converted) problems.push(`environment ${opt.env}: ${converted.problem}`);
    else layers.set(opt.path, converted.value, { kind: 'env', name: opt.env });
  }
}

/** Flags as commander gives them: text is converted like an environment value, anything else taken as is. */
function addFlagLayer(flags: Record<string, unknown>, layers: ConfigLayers, problems: string[]): void {
  for (const opt of SETTING_OPTIONS) {
    const raw = opt.flag === undefined ? undefined : flags[opt.flag];
    if (raw === undefined || opt.flag === undefined) continue;
    let value: unknown = raw;
    if (typeof raw === 'string') {
      const converted = convertOptionText(opt.kind, raw);
      if ('problem' in converted) {
        problems.push(`${opt.flag}: ${converted.problem}`);
        continue;
      }
      value = converted.value;
    }
    layers.set(opt.path, value, { kind: 'flag', flag: opt.flag });
  }
}

/**
 * The merged settings checked against the schema, with every problem so far. The token itself
 * (USEWATCH_TOKEN) is held apart: the schema has only token_file, the setting a file may carry.
 */
function validate(
  layers: ConfigLayers,
  yaml: YamlSource | undefined,
  problems: string[],
): { config: AgentConfig; token: string | undefined } {
  const { merged } = layers;
  const token = typeof merged.token === 'string' ? merged.token : undefined;
  delete merged.token;
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const { issues } = parsed.error;
    for (const issue of issues.slice(0, MAX_PROBLEMS)) problems.push(describeIssue(issue, layers.origins, yaml));
    if (issues.length > MAX_PROBLEMS) problems.push(`${issues.length - MAX_PROBLEMS} more problem(s) not shown`);
    throw new ConfigError(problems);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { config: { ...parsed.data }, token };
}

/** Sets config.token from the token given directly or read from token_file; returns warnings about the file. */
async function resolveToken(
  config: AgentConfig,
  token: string | undefined,
  where: (key: string) => string,
  problems: string[],
): Promise<string[]> {
  const warnings: string[] = [];
  if (token !== undefined) config.token = token;
  else if (config.token_file !== undefined) {
    const read = await readTokenFile(config.token_file);
    if ('problem' in read) problems.push(`${where('token_file')}: ${read.problem}`);
    else {
      config.token = read.token;
      if (read.warning) warnings.push(read.warning);
    }
  }
  if (config.token !== undefined && config.token.length < MIN_TOKEN_LENGTH) {
    const key = token !== undefined ? 'token' : 'token_file';
    problems.push(`${where(key)}: the token is shorter than ${MIN_TOKEN_LENGTH} characters`);
  }
  return warnings;
}

/** A listen address other hosts can reach needs a token, or the operator's explicit --insecure-no-auth. */
function checkExposure(config: AgentConfig, where: (key: string) => string, problems: string[]): void {
  const listen = parseListen(config.listen);
  if (typeof listen === 'string' || isLoopbackHost(listen.host)) return;
  if (config.token === undefined && !config.insecure_no_auth) {
    problems.push(
      `${where('listen')}: ${config.listen} is reachable from other hosts: give a bearer token ` +
        '(--token-file FILE or USEWATCH_TOKEN), or pass --insecure-no-auth to serve without authentication',
    );
  }
}

async function readYaml(
  src: ConfigSources,
  env: NodeJS.ProcessEnv,
  problems: string[],
): Promise<YamlSource | undefined> {
  let file = src.file ?? env[CONFIG_ENV];
  if (file === undefined) {
    const fallback = src.defaultFile ?? DEFAULT_CONFIG_FILE;
    const exists = await stat(fallback).then(
      () => true,
      () => false,
    );
    if (!exists) return undefined;
    file = fallback;
  }
  let text: string;
  try {
    text = await readInputText(file);
  } catch (err) {
    if (!(err instanceof InputFileError)) throw err;
    problems.push(`${file}: cannot read the config file: ${err.reason}`);
    return undefined;
  }
  const parsed = parseYamlInput(text);
  const at = (offset: number) => {
    const pos = parsed.lines.linePos(offset);
    return `${file}:${pos.line}:${pos.col}`;
  };
  if (parsed.doc === undefined || parsed.problems.length > 0) {
    for (const p of parsed.problems) problems.push(`${at(p.offset)}: ${p.message}`);
    return undefined;
  }
  const values = yamlValues(parsed.doc);
  if ('problem' in values) {
    problems.push(`${at(values.problem.offset)}: ${values.problem.message}`);
    return undefined;
  }
  return { file, doc: parsed.doc, lines: parsed.lines, values: values.value };
}

function describeIssue(issue: z.core.$ZodIssue, origins: Map<string, Origin>, yaml: YamlSource | undefined): string {
  const path = issue.path.map(String);
  let message = issue.message;
  let keyPath = path;
  let atKey = false;
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0];
    keyPath = [...path, key];
    atKey = true;
    const shown = issue.keys.slice(0, 10).map((k) => `"${k}"`);
    if (issue.keys.length > shown.length) shown.push(`and ${issue.keys.length - shown.length} more`);
    message = `unknown setting${issue.keys.length > 1 ? 's' : ''} ${shown.join(', ')}`;
  }
  const origin = originFor(keyPath, origins);
  const name = keyPath.join('.');
  return `${describeOrigin(origin, keyPath, yaml, atKey)}: ${name ? `${name}: ` : ''}${message}`;
}

/** The origin of a path: its own, an ancestor's (a whole list), or a descendant's (an object-level rule). */
function originFor(path: string[], origins: Map<string, Origin>): Origin | undefined {
  for (let n = path.length; n > 0; n--) {
    const o = origins.get(path.slice(0, n).join('.'));
    if (o) return o;
  }
  const prefix = path.length === 0 ? '' : `${path.join('.')}.`;
  let found: Origin | undefined;
  for (const [key, o] of origins) {
    if (key.startsWith(prefix) && (found === undefined || rank(o) > rank(found))) found = o;
  }
  return found;
}

function rank(o: Origin): number {
  return o.kind === 'flag' ? 3 : o.kind === 'env' ? 2 : 1;
}

function describeOrigin(
  origin: Origin | undefined,
  path: string[],
  yaml: YamlSource | undefined,
  atKey = false,
): string {
  if (origin === undefined) return 'config';
  if (origin.kind === 'env') return `environment ${origin.name}`;
  if (origin.kind === 'flag') return origin.flag;
  const pos = yaml ? positionOf(yaml.doc, yaml.lines, path, atKey) : undefined;
  return pos ? `${origin.file}:${pos.line}:${pos.col}` : origin.file;
}

function* leaves(obj: Record<string, unknown>, prefix: string[] = []): Generator<[string[], unknown]> {
  for (const [k, v] of Object.entries(obj)) {
    if (isPlainObject(v) && Object.keys(v).length > 0) yield* leaves(v, [...prefix, k]);
    else yield [[...prefix, k], v];
  }
}

/** Sets a value at a path of own properties; a key that would reach a prototype is refused (parseYamlInput reports it first). */
function setIn(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  if (path.some((key) => FORBIDDEN_KEYS.has(key))) throw new Error(`refused setting path ${path.join('.')}`);
  let cur = target;
  for (const key of path.slice(0, -1)) {
    const next = Object.hasOwn(cur, key) ? cur[key] : undefined;
    if (!isPlainObject(next)) cur[key] = {};
    cur = cur[key] as Record<string, unknown>;
  }
  cur[path[path.length - 1]] = value;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

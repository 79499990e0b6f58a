/** Invalid configuration: every problem, each naming where it came from (file:line:col, env var, flag). */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
  }
}

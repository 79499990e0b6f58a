import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('install-service')
    .description('install the hardened systemd unit and a commented default config (run as root)')
    .option('--no-caps', 'install the variant without capabilities (no I/O attribution of other users’ processes)')
    .option('--unit-dir <dir>', 'where the unit goes', '/etc/systemd/system')
    .option('--config-dir <dir>', 'configuration directory', '/etc/usewatch')
    .option('--destdir <dir>', 'stage everything under this root instead of /', '/')
    .action(async (opts: { caps: boolean; unitDir: string; configDir: string; destdir: string }) => {
      const { currentCliPath, installService } = await import('../systemd/install.js');
      const result = installService({
        destdir: opts.destdir,
        unitDir: opts.unitDir,
        configDir: opts.configDir,
        noCaps: !opts.caps,
        nodePath: process.execPath,
        cliPath: currentCliPath(),
      });
      for (const w of result.warnings) console.error(`usewatch install-service: warning: ${w}`);
      console.log(result.nextSteps);
      if (result.warnings.length > 0) process.exitCode = 1;
    });
}

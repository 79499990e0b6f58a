#!/usr/bin/env node
import { Command, CommanderError, Help, type Option } from 'commander';
import { handleClosedPipes } from '../src/log/pipes.js';
import { VERSION } from '../src/version.js';

type CommandModule = { register(program: Command): void };

/**
 * The subcommands in the order the help lists them. Each command module only declares its options;
 * its action imports the heavy modules it needs, so `usewatch --version` and `usewatch check` do not
 * pay for the agent's server stack. Only the command named on the line is imported: resolving all
 * of them and what they import made Node's module resolution hot enough for V8's optimising
 * compiler, whose code (3 MB) then stayed in the RSS of `top` and `fleet`.
 */
const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  top: () => import('../src/commands/top.js'),
  fleet: () => import('../src/commands/fleet.js'),
  check: () => import('../src/commands/check.js'),
  checklist: () => import('../src/commands/checklist.js'),
  agent: () => import('../src/commands/agent.js'),
  record: () => import('../src/commands/record.js'),
  replay: () => import('../src/commands/replay.js'),
  'install-service': () => import('../src/commands/install-service.js'),
};

/**
 * The commands to register: the one named by the first argument that is not an option (the program
 * itself has only --version and --help), else all of them, for the program's help, `help COMMAND`
 * and commander's "did you mean" on a misspelt command.
 */
function commandsToLoad(args: readonly string[]): string[] {
  const named = args.find((arg) => !arg.startsWith('-'));
  return named !== undefined && Object.hasOwn(COMMANDS, named) ? [named] : Object.keys(COMMANDS);
}

const program = new Command()
  .name('usewatch')
  .description(
    'Linux performance agent that walks the USE method: Utilization, Saturation and Errors for every resource',
  )
  .version(VERSION, '-V, --version')
  // Set before the commands are registered: each command copies it.
  .configureHelp({
    optionDescription(this: Help, option: Option): string {
      // Repeatable options start from [] so that their values collect; "(default: [])" tells a reader nothing.
      if (!Array.isArray(option.defaultValue) || option.defaultValue.length > 0) {
        return Help.prototype.optionDescription.call(this, option);
      }
      const shown: Option = Object.assign(Object.create(Object.getPrototypeOf(option)), option, {
        defaultValue: undefined,
      });
      return Help.prototype.optionDescription.call(this, shown);
    },
  });

const names = commandsToLoad(process.argv.slice(2));
for (const module of await Promise.all(names.map((name) => COMMANDS[name]()))) module.register(program);

handleClosedPipes();
try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  console.error(`usewatch: ${(err as Error)?.message ?? err}`);
  process.exit(process.exitCode && process.exitCode !== 0 ? process.exitCode : 1);
}

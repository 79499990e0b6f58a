#!/usr/bin/env node
import { Command, CommanderError, Help, type Option } from 'commander';
import { register as registerAgent } from '../src/commands/agent.js';
import { register as registerCheck } from '../src/commands/check.js';
import { register as registerChecklist } from '../src/commands/checklist.js';
import { register as registerFleet } from '../src/commands/fleet.js';
import { register as registerInstallService } from '../src/commands/install-service.js';
import { register as registerRecord } from '../src/commands/record.js';
import { register as registerReplay } from '../src/commands/replay.js';
import { register as registerTop } from '../src/commands/top.js';
import { handleClosedPipes } from '../src/log/pipes.js';
import { VERSION } from '../src/version.js';

// Each command module only declares its options here; its action imports the heavy modules it
// needs, so `usewatch --version` and `usewatch check` do not pay for the agent's server stack.
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

for (const register of [
  registerTop,
  registerFleet,
  registerCheck,
  registerChecklist,
  registerAgent,
  registerRecord,
  registerReplay,
  registerInstallService,
]) {
  register(program);
}

handleClosedPipes();
try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  console.error(`usewatch: ${(err as Error)?.message ?? err}`);
  process.exit(process.exitCode && process.exitCode !== 0 ? process.exitCode : 1);
}

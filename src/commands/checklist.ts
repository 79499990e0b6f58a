import { type Command, Option } from 'commander';
import type { Checklist, Rule } from '../checklist/model.js';
import { collect } from './repeatable.js';

/** `usewatch checklist validate|show|explain|export`: inspect checklist files without sampling anything. */
export function register(program: Command): void {
  const checklist = program.command('checklist').description('validate and inspect USE checklists');

  checklist
    .command('validate')
    .description('check files for every problem (file:line:col); exit 1 when there is any')
    .argument('<files...>', 'checklist files or directories')
    .option('--no-defaults', 'validate the files alone, without the default set (overrides then need their rules)')
    .action(async (files: string[], flags: { defaults: boolean }) => {
      const { formatProblem, inspectChecklist } = await import('../checklist/load.js');
      const { checklist: set, problems } = await inspectChecklist(files, { defaults: flags.defaults });
      if (problems.length > 0) {
        for (const p of problems) console.error(formatProblem(p));
        console.error(`${problems.length} problem(s)`);
        process.exitCode = 1;
        return;
      }
      console.log(
        `ok: ${set.rules.length} rules, ${set.overrides.length} overrides, ${set.gaps.length} gaps in ${set.files.join(', ')}`,
      );
    });

  checklist
    .command('show')
    .description('list the rules with their thresholds (defaults plus --checklist files)')
    .option('--checklist <path>', 'extra checklist file or directory (repeatable)', collect, [])
    .action(async (flags: { checklist: string[] }) => {
      const set = await loadOrReport(flags.checklist);
      if (set === undefined) return;
      const { renderRuleTable } = await import('../report/checklist.js');
      process.stdout.write(renderRuleTable(set));
    });

  checklist
    .command('explain')
    .description('show one rule: what it measures, its thresholds and sources, overrides, what to run next')
    .argument('<rule-id>', 'rule id, e.g. cpu.saturation.runqueue')
    .option('--checklist <path>', 'extra checklist file or directory (repeatable)', collect, [])
    .action(async (id: string, flags: { checklist: string[] }) => {
      const set = await loadOrReport(flags.checklist);
      if (set === undefined) return;
      const rule = set.rules.find((r: Rule) => r.id === id);
      if (rule === undefined) {
        const prefix = id.split('.')[0];
        const near = set.rules.filter((r: Rule) => r.id.startsWith(prefix)).map((r: Rule) => r.id);
        console.error(
          `usewatch checklist: no rule "${id}"${near.length ? `; rules of ${prefix}: ${near.join(', ')}` : ''}`,
        );
        process.exitCode = 1;
        return;
      }
      const { renderRuleExplain } = await import('../report/checklist.js');
      process.stdout.write(renderRuleExplain(set, rule));
    });

  checklist
    .command('export')
    .description('write the rules for another engine: a Prometheus rule file with alerts and USE recording rules')
    .addOption(new Option('--format <format>', 'what to write').choices(['prometheus-rules']).makeOptionMandatory())
    .option('--checklist <path>', 'extra checklist file or directory (repeatable)', collect, [])
    .option('--runbook-url <template>', 'runbook link per alert; {rule} stands for the rule id')
    .action(async (flags: { checklist: string[]; runbookUrl?: string }) => {
      const set = await loadOrReport(flags.checklist);
      if (set === undefined) return;
      const { prometheusRules } = await import('../checklist/export-prometheus.js');
      const source = ['the default checklist', ...flags.checklist].join(', ');
      process.stdout.write(prometheusRules(set.rules, { source, runbookUrl: flags.runbookUrl }));
    });
}

async function loadOrReport(paths: string[]): Promise<Checklist | undefined> {
  const { ChecklistError, loadChecklist } = await import('../checklist/load.js');
  try {
    return await loadChecklist(paths);
  } catch (err) {
    if (!(err instanceof ChecklistError)) throw err;
    console.error(err.message);
    process.exitCode = 1;
    return undefined;
  }
}

import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { inspectChecklist } from '../../src/checklist/load.js';
import { precompileDefault } from '../../src/checklist/precompile.js';
import { DEFAULT_CHECKLIST, fromPrecompiled } from '../../src/checklist/precompiled.js';

describe('the precompiled default checklist (dist/checklists/linux-use.json)', () => {
  it('loads exactly the set the yaml + zod loader assembles from checklists/linux-use.yaml', async () => {
    const yamlText = await readFile(DEFAULT_CHECKLIST, 'utf8');
    const json = JSON.stringify(await precompileDefault());
    const fromJson = fromPrecompiled(json, yamlText, DEFAULT_CHECKLIST);
    const { checklist, problems } = await inspectChecklist([]);
    expect(problems).toEqual([]);
    expect(fromJson).toStrictEqual(checklist);
    expect(fromJson?.rules[0].origin).toMatch(/linux-use\.yaml:\d+$/);
  });

  it('is not used once the yaml differs from the text it was built from', async () => {
    const yamlText = await readFile(DEFAULT_CHECKLIST, 'utf8');
    const json = JSON.stringify(await precompileDefault());
    const edited = yamlText.replace('warn: 70%', 'warn: 75%');
    expect(edited).not.toBe(yamlText);
    expect(fromPrecompiled(json, edited, DEFAULT_CHECKLIST)).toBeUndefined();
    expect(fromPrecompiled('{"truncated', yamlText, DEFAULT_CHECKLIST)).toBeUndefined();
  });
});

import { readFile, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { checklistJsonSchema } from '../../src/checklist/schema.js';

const FILE = 'checklists/schema.json';

describe('checklists/schema.json', () => {
  // Editors validate checklist files with it (`# yaml-language-server: $schema=./schema.json`).
  // Regenerate after a schema change: UPDATE_SCHEMA=1 npx vitest run test/checklist/schema.test.ts
  it('matches the zod schema', async () => {
    const generated = `${JSON.stringify(checklistJsonSchema(), null, 2)}\n`;
    if (process.env.UPDATE_SCHEMA === '1') await writeFile(FILE, generated);
    expect(await readFile(FILE, 'utf8')).toBe(generated);
  });
});

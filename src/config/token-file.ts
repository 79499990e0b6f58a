import { InputFileError, readInputFile } from './input-file.js';

const WHITESPACE = /\s/;

/**
 * The bearer token in a token file: one word, surrounding whitespace ignored. Read the same way by
 * the agent (`token_file`) and by `usewatch top --connect --token-file`. A file others can read
 * is accepted with a warning.
 */
export async function readTokenFile(file: string): Promise<{ token: string; warning?: string } | { problem: string }> {
  let text: string;
  let mode: number;
  try {
    const read = await readInputFile(file);
    text = read.bytes.toString('utf8');
    mode = read.mode;
  } catch (err) {
    if (err instanceof InputFileError) return { problem: `cannot read token file ${file}: ${err.reason}` };
    throw err;
  }
  const token = text.trim();
  if (token.length === 0) return { problem: `token file ${file} is empty` };
  if (WHITESPACE.test(token)) return { problem: `token file ${file} holds more than one word` };
  const warning =
    (mode & 0o077) !== 0
      ? `token file ${file} can be read by other users (mode ${(mode & 0o777).toString(8)}): chmod 600 it`
      : undefined;
  return { token, warning };
}

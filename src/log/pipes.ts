let keepRunning = false;

/**
 * For the agent: a closed stdout or stderr must never stop it. Its logger drops and counts the
 * lines it cannot write (src/log/output.ts), so the stream errors are only swallowed here.
 */
export function keepRunningOnClosedPipes(): void {
  keepRunning = true;
}

function isClosedPipe(err: Error): boolean {
  return (err as NodeJS.ErrnoException).code === 'EPIPE';
}

/**
 * What every command does when its output goes away. A command printing to a pipe whose reader
 * has gone (`usewatch replay DIR | head -1`) stops at once with its status so far, 0 unless
 * something already failed, as Unix tools do; a closed stderr loses its messages only. Any other
 * write error (a full disk, an I/O error) is thrown: it is a failure the user must see.
 */
export function handleClosedPipes(): void {
  process.stdout.on('error', (err) => {
    if (keepRunning) return;
    if (isClosedPipe(err)) process.exit(Number(process.exitCode ?? 0));
    throw err;
  });
  process.stderr.on('error', (err) => {
    if (keepRunning || isClosedPipe(err)) return;
    throw err;
  });
}

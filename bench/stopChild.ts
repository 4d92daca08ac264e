import type { ChildProcess } from 'node:child_process';

/** Asks a child process to end (SIGTERM), kills it if it has not after `graceMs`, and resolves once it is gone. */
export async function stopChild(child: ChildProcess, exited: Promise<void>, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const hard = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(hard);
}

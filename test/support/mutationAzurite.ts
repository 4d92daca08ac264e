import { startAzurite } from '../../dev/azurite';

/** The connection string of the one Azurite of a Stryker run (jest.mutation.config.js). */
export const MUTATION_AZURITE_ENV = 'MUTATION_AZURITE_CONNECTION_STRING';

/**
 * jest's globalSetup for Stryker's runs only. Stryker's jest runner calls jest once per
 * mutant in the same process, and the ledger's unit test would start an Azurite each time
 * (seconds per mutant): the first call starts one and leaves its connection string in the
 * process's environment, where every later call of the process finds it. It is not stopped
 * after a run: Stryker ends its test runner with its process tree, Azurite included; a
 * process that exits on its own stops it on the way out.
 */
export default async function mutationAzurite(): Promise<void> {
  if (process.env[MUTATION_AZURITE_ENV]) return;
  const azurite = await startAzurite();
  process.env[MUTATION_AZURITE_ENV] = azurite.connectionString;
  process.once('exit', () => void azurite.stop());
}

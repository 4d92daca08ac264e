import { readFile } from 'node:fs/promises';
import { z } from 'zod';

const localSettingsSchema = z.object({
  IsEncrypted: z.boolean().optional(),
  Values: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform(String)).optional(),
});

/**
 * The `Values` of a Core Tools `local.settings.json`, as `func start` would read them;
 * empty when the file does not exist. An encrypted file (`func settings encrypt`) cannot
 * be read without Core Tools, so it is refused with a message.
 */
export async function readLocalSettings(path: string): Promise<Record<string, string>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return {};
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`${path} is not valid JSON`);
  }
  const parsed = localSettingsSchema.safeParse(json);
  if (!parsed.success) throw new Error(`${path}: "Values" must map setting names to strings`);
  if (parsed.data.IsEncrypted)
    throw new Error(`${path} is encrypted; decrypt it with "func settings decrypt" or set the values in the environment`);
  return parsed.data.Values ?? {};
}

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const manifestSchema = z.looseObject({ name: z.string().min(1), version: z.string().min(1) });

export interface PackageLayout {
  /** The folder that is zipped: what the app folder holds in Azure. azure.yaml's `dist` points here. */
  appDir: string;
  zipPath: string;
}

/** Where `npm run package` puts its output, and so where `npm run deploy` picks the zip up. */
export function packageLayout(repoRoot: string, outDir = path.join(repoRoot, 'dist', 'package')): PackageLayout {
  const manifest = manifestSchema.parse(JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')));
  return { appDir: path.join(outDir, 'app'), zipPath: path.join(outDir, `${manifest.name}-${manifest.version}.zip`) };
}

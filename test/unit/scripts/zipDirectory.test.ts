import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { zipDirectory } from '../../../scripts/zipDirectory';
import { extractZip } from '../../support/extractZip';

describe('zipDirectory', () => {
  let work: string;

  beforeEach(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'zip-'));
  });

  afterEach(async () => {
    await rm(work, { recursive: true, force: true });
  });

  async function tree(files: Record<string, string | Buffer>): Promise<string> {
    const dir = path.join(work, 'src');
    for (const [name, content] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
      await writeFile(path.join(dir, name), content);
    }
    return dir;
  }

  it('round-trips every file, nested and empty, deflated when that is smaller and stored when not', async () => {
    const random = randomBytes(4096);
    const dir = await tree({
      'host.json': '{"version":"2.0"}',
      'dist/functions/index.js': 'module.exports = 1;\n'.repeat(200),
      'node_modules/@scope/pkg/package.json': '{"name":"@scope/pkg"}',
      'node_modules/é/ünïcode.txt': 'names are UTF-8',
      'empty.txt': '',
      'noise.bin': random,
    });
    const summary = await zipDirectory(dir, path.join(work, 'app.zip'));

    const names = await extractZip(path.join(work, 'app.zip'), path.join(work, 'out'));
    expect(names).toEqual([
      'dist/functions/index.js',
      'empty.txt',
      'host.json',
      'node_modules/@scope/pkg/package.json',
      'node_modules/é/ünïcode.txt',
      'noise.bin',
    ]);
    for (const name of names) expect(await readFile(path.join(work, 'out', name))).toEqual(await readFile(path.join(dir, name)));
    expect(summary.files).toBe(6);
    expect(summary.zipBytes).toBe((await readFile(path.join(work, 'app.zip'))).length);
    expect(summary.zipBytes).toBeLessThan(summary.unpackedBytes);
    const zip = await readFile(path.join(work, 'app.zip'));
    // Incompressible bytes are stored as they are; text is deflated.
    expect(zip.includes(random)).toBe(true);
    expect(zip.includes(Buffer.from('module.exports = 1;\nmodule.exports = 1;'))).toBe(false);
  });

  it('gives the same bytes for the same tree', async () => {
    const dir = await tree({ 'a.txt': 'a', 'b/c.txt': 'c' });
    await zipDirectory(dir, path.join(work, 'one.zip'));
    await zipDirectory(dir, path.join(work, 'two.zip'));
    expect(await readFile(path.join(work, 'one.zip'))).toEqual(await readFile(path.join(work, 'two.zip')));
  });

  it('refuses a symbolic link', async () => {
    const dir = await tree({ 'a.txt': 'a' });
    await symlink(path.join(dir, 'a.txt'), path.join(dir, 'link.txt'));
    await expect(zipDirectory(dir, path.join(work, 'app.zip'))).rejects.toThrow('link.txt is a symbolic link');
  });
});

import { createWriteStream } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { once } from 'node:events';
import { crc32, deflateRawSync } from 'node:zlib';

export interface ZipSummary {
  files: number;
  /** Bytes of the files before compression. */
  unpackedBytes: number;
  /** Bytes of the zip. */
  zipBytes: number;
}

// Classic zip only (no zip64): the package is far below both limits, and a bigger one is a mistake to stop at.
const MAX_ENTRIES = 0xffff;
const MAX_BYTES = 0xffffffff;
// A fixed time for every entry (1980-01-01, the DOS epoch): the same tree gives the same zip, byte for byte.
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
const UTF8_NAMES = 0x0800;
const MADE_BY_UNIX = (3 << 8) | 20;
const FILE_MODE = 0o100644;

/**
 * Writes every regular file under `dir` (names relative to it, `/`-separated, sorted) to a
 * zip at `zipPath`: deflated, or stored when deflating does not make it smaller. Refuses
 * symbolic links, which Kudu would not recreate as links.
 */
export async function zipDirectory(dir: string, zipPath: string): Promise<ZipSummary> {
  const files = await listFiles(dir);
  if (files.length > MAX_ENTRIES) throw new Error(`${files.length} files: more than a zip without zip64 holds`);

  const out = createWriteStream(zipPath);
  const central: Buffer[] = [];
  let offset = 0;
  let unpackedBytes = 0;
  const write = async (chunk: Buffer) => {
    offset += chunk.length;
    if (offset > MAX_BYTES) throw new Error('the zip would exceed 4 GiB, more than a zip without zip64 holds');
    if (!out.write(chunk)) await once(out, 'drain');
  };

  try {
    for (const file of files) {
      const data = await readFile(path.join(dir, ...file.split('/')));
      const deflated = deflateRawSync(data);
      const stored = deflated.length >= data.length;
      const body = stored ? data : deflated;
      const name = Buffer.from(file, 'utf8');
      const crc = crc32(data);
      const headerOffset = offset;
      unpackedBytes += data.length;

      const local = Buffer.alloc(30);
      local.writeUInt32LE(0x04034b50, 0);
      local.writeUInt16LE(20, 4);
      local.writeUInt16LE(UTF8_NAMES, 6);
      local.writeUInt16LE(stored ? 0 : 8, 8);
      local.writeUInt16LE(DOS_TIME, 10);
      local.writeUInt16LE(DOS_DATE, 12);
      local.writeUInt32LE(crc, 14);
      local.writeUInt32LE(body.length, 18);
      local.writeUInt32LE(data.length, 22);
      local.writeUInt16LE(name.length, 26);
      local.writeUInt16LE(0, 28);
      await write(local);
      await write(name);
      await write(body);

      const entry = Buffer.alloc(46);
      entry.writeUInt32LE(0x02014b50, 0);
      entry.writeUInt16LE(MADE_BY_UNIX, 4);
      entry.writeUInt16LE(20, 6);
      entry.writeUInt16LE(UTF8_NAMES, 8);
      entry.writeUInt16LE(stored ? 0 : 8, 10);
      entry.writeUInt16LE(DOS_TIME, 12);
      entry.writeUInt16LE(DOS_DATE, 14);
      entry.writeUInt32LE(crc, 16);
      entry.writeUInt32LE(body.length, 20);
      entry.writeUInt32LE(data.length, 24);
      entry.writeUInt16LE(name.length, 28);
      // Extra field, comment, disk number, internal attributes: none.
      entry.writeUInt32LE((FILE_MODE << 16) >>> 0, 38);
      entry.writeUInt32LE(headerOffset, 42);
      central.push(entry, name);
    }

    const centralOffset = offset;
    const directory = Buffer.concat(central);
    await write(directory);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(files.length, 8);
    end.writeUInt16LE(files.length, 10);
    end.writeUInt32LE(directory.length, 12);
    end.writeUInt32LE(centralOffset, 16);
    await write(end);
  } finally {
    out.end();
    await once(out, 'close');
  }
  return { files: files.length, unpackedBytes, zipBytes: offset };
}

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const entries = (await readdir(path.join(dir, ...prefix.split('/').filter(Boolean)), { withFileTypes: true })).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  const files: string[] = [];
  for (const entry of entries) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isSymbolicLink()) throw new Error(`${relative} is a symbolic link; the package holds files only`);
    if (entry.isDirectory()) files.push(...(await listFiles(dir, relative)));
    else if (entry.isFile()) files.push(relative);
    else throw new Error(`${relative} is neither a file nor a folder`);
  }
  return files;
}

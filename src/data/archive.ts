/**
 * Streaming reads of tar and tar.gz archives: the file is streamed through gunzip and a tar
 * parser, and each selected member's bytes are handed to a sink as they arrive, so neither the
 * compressed nor the uncompressed archive is ever held in memory. Reading stops early once the
 * caller has everything it needs.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import { DataError, corrupt } from './errors.js';

/** receives one member's bytes in order */
export interface MemberSink {
  /** return true when no further bytes of this member are needed (the rest is skipped) */
  write(chunk: Uint8Array): boolean | void;
  /** after the last byte (or after write returned true) */
  end(): void;
}

/** called for each regular file in the archive; return a sink to read it, or null to skip it */
export type MemberSelector = (name: string, size: number) => MemberSink | null | undefined;

export interface ReadTarOptions {
  /** checked after each member; when it returns true the rest of the archive is not read */
  done?: () => boolean;
}

/** true when the file starts with the gzip magic bytes */
export async function isGzipFile(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await fh.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/** the file name of an archive member, without its directories */
export function baseName(member: string): string {
  const parts = member.split('/').filter((p) => p !== '' && p !== '.');
  return parts.length ? parts[parts.length - 1] : '';
}

/** turns low-level stream errors into one DataError naming the archive */
function describe(path: string, err: unknown): Error {
  if (err instanceof DataError) return err;
  const e = err as { code?: string; message?: string };
  const msg = e.message ?? String(err);
  if (e.code === 'ENOENT') return corrupt(path, 'no such file');
  if (e.code === 'Z_BUF_ERROR' || /unexpected end of file/i.test(msg)) return corrupt(path, 'truncated gzip data (the download is incomplete)');
  if (e.code === 'Z_DATA_ERROR') return corrupt(path, `corrupt gzip data (${msg})`);
  if (/Unexpected end of data/i.test(msg)) return corrupt(path, 'truncated tar archive (the download is incomplete)');
  if (/Invalid (tar )?header/i.test(msg)) return corrupt(path, 'not a tar archive or corrupt tar header');
  if (/exceeds max size/i.test(msg)) return corrupt(path, 'corrupt tar header');
  return err instanceof Error ? err : new Error(msg);
}

/**
 * Streams the archive at `path` (tar, or tar.gz detected by its magic bytes) and feeds the members
 * chosen by `select` to their sinks. Returns the names of all regular-file members seen.
 */
export async function readTar(path: string, select: MemberSelector, opts: ReadTarOptions = {}): Promise<string[]> {
  let gz: boolean;
  try {
    gz = await isGzipFile(path);
  } catch (err) {
    throw describe(path, err);
  }
  const src = createReadStream(path, { highWaterMark: 1 << 20 });
  const gunzip = gz ? createGunzip({ chunkSize: 1 << 18 }) : null;
  const ex = extract();
  const fail = (err: unknown): void => {
    ex.destroy(describe(path, err));
  };
  src.on('error', fail);
  if (gunzip) {
    gunzip.on('error', fail);
    src.pipe(gunzip).pipe(ex);
  } else {
    src.pipe(ex);
  }
  const seen: string[] = [];
  try {
    for await (const entry of ex) {
      const h = entry.header;
      const type = h.type ?? 'file';
      const sink = type === 'file' || type === 'contiguous-file' ? select(h.name, h.size ?? 0) : null;
      if (type === 'file' || type === 'contiguous-file') seen.push(h.name);
      if (!sink) {
        entry.resume();
        continue;
      }
      let skipping = false;
      for await (const chunk of entry) {
        if (!skipping && sink.write(chunk as Uint8Array) === true) skipping = true;
      }
      sink.end();
      if (opts.done?.()) break;
    }
  } catch (err) {
    throw describe(path, err);
  } finally {
    src.destroy();
    gunzip?.destroy();
    ex.destroy();
  }
  return seen;
}

/** reads whole members (by base name) into memory; small files such as label-name lists */
export async function readTarFiles(path: string, names: string[]): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  await readTar(
    path,
    (name) => {
      const base = baseName(name);
      if (!names.includes(base) || out.has(base)) return null;
      const chunks: Uint8Array[] = [];
      return {
        write: (c) => void chunks.push(c),
        end: () => void out.set(base, Buffer.concat(chunks)),
      };
    },
    { done: () => names.every((n) => out.has(n)) },
  );
  return out;
}

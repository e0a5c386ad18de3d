import fs from 'node:fs';
import { InputError, outputErrorOf } from '../core/errors.js';

/**
 * Every binary file cityforge writes for itself (the store's spill and row files, the tiles' leaf
 * buckets and DEM windows) starts with a 16-byte header, the flatbush way: 4 bytes of magic naming
 * the kind of file, a u32 format version, a u32 of the header's size and a u32 kept at 0. A file of
 * another kind or version is refused with a clear message instead of being misread.
 *
 * @example
 * ```ts
 * fs.writeFileSync(file, fileHeader('rows'));            // then the rows
 * const at = checkHeader(file, buf, 'rows');            // → 16: where the rows start
 * ```
 */

/** The kinds of binary files and their magic. */
export const MAGIC = {
  /** The store's spill file: one record per building. */
  features: 'CFFT',
  /** The store's row file: one fixed row of float64s per building. */
  rows: 'CFRW',
  /** A leaf tile's bucket: fixed rows of its buildings. */
  bucket: 'CFBK',
  /** An elevation grid (a leaf tile's DEM window). */
  grid: 'CFGR',
} as const;

/** The kind of a binary file. */
export type BinaryKind = keyof typeof MAGIC;

/**
 * The format version of every binary file this cityforge writes; bump it when a layout changes.
 * 2: bucket rows end with the stands-at-its-own-heights flag; spill records may end with kept surfaces.
 */
export const FORMAT_VERSION = 2;

/** Bytes of the header (a multiple of 8: float64 rows after it stay aligned). */
export const HEADER_BYTES = 16;

/** The header of a file of `kind`. */
export function fileHeader(kind: BinaryKind): Buffer {
  const b = Buffer.alloc(HEADER_BYTES);
  b.write(MAGIC[kind], 0, 'latin1');
  b.writeUInt32LE(FORMAT_VERSION, 4);
  b.writeUInt32LE(HEADER_BYTES, 8);
  return b;
}

/**
 * Check the header of `file` (its first bytes in `head`) is one of `kind` in this version; returns
 * where the data starts. Throws an {@link InputError} naming the file otherwise.
 */
export function checkHeader(file: string, head: Uint8Array, kind: BinaryKind): number {
  const b = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  if (b.length < HEADER_BYTES || b.toString('latin1', 0, 4) !== MAGIC[kind])
    throw new InputError('store', `${file}: not a cityforge ${kind} file (made by an older cityforge, or damaged); make the store again`);
  const version = b.readUInt32LE(4);
  if (version !== FORMAT_VERSION)
    throw new InputError('store', `${file}: ${kind} file of format version ${version}; this cityforge reads version ${FORMAT_VERSION}: make it again with this version`);
  return b.readUInt32LE(8);
}

/** Read and check the header of an open file; returns where the data starts. */
export function checkFileHeader(file: string, fd: number, kind: BinaryKind): number {
  const head = Buffer.alloc(HEADER_BYTES);
  const n = fs.readSync(fd, head, 0, HEADER_BYTES, 0);
  return checkHeader(file, head.subarray(0, n), kind);
}

/** Read exactly `len` bytes at `at` into `buf`; a short file is an {@link InputError} naming it. */
export function readFully(fd: number, buf: Uint8Array, len: number, at: number, file: string): void {
  let got = 0;
  while (got < len) {
    const n = fs.readSync(fd, buf, got, len - got, at + got);
    if (n === 0) throw new InputError('store', `${file}: cut short (wanted ${len} bytes at ${at}); make the store again`);
    got += n;
  }
}

/** Appends bytes to a file through a large buffer (the file starts with the header of `kind`). */
export class BufferedWriter {
  /** Bytes written so far (the header included): the offset of the next byte. */
  offset = 0;
  private readonly fd: number;
  private buf: Buffer;
  private used = 0;

  constructor(readonly file: string, kind: BinaryKind, size = 8 << 20) {
    this.fd = fs.openSync(file, 'w');
    this.buf = Buffer.alloc(size);
    const { buffer, at } = this.reserve(HEADER_BYTES);
    fileHeader(kind).copy(buffer, at);
  }

  /** Room for `size` bytes at `this.buffer[at]` (flushing first when needed); advance past them. */
  reserve(size: number): { buffer: Buffer; at: number } {
    if (this.used + size > this.buf.length) this.flush();
    if (size > this.buf.length) this.buf = Buffer.alloc(size);
    const at = this.used;
    this.used += size;
    this.offset += size;
    return { buffer: this.buf, at };
  }

  private flush(): void {
    let done = 0;
    try {
      while (done < this.used) done += fs.writeSync(this.fd, this.buf, done, this.used - done);
    } catch (e) {
      // disk-full-in-the-store: a write to a descriptor names no file; this one is named (an output error, no stack trace)
      throw outputErrorOf('tiles', this.file, e);
    }
    this.used = 0;
  }

  /** Write what is buffered and close the file. */
  close(): void {
    this.flush();
    fs.closeSync(this.fd);
  }
}

/**
 * Visit the rows of a file of fixed rows of `width` float64s after its header of `kind`, in order, a
 * large chunk at a time: `visit(i, rows, k)` gets row i at `rows[k .. k + width)`.
 */
export function scanRowFile(file: string, kind: BinaryKind, width: number, visit: (i: number, rows: Float64Array, k: number) => void, chunkRows = 8192): void {
  const fd = fs.openSync(file, 'r');
  try {
    const start = checkFileHeader(file, fd, kind);
    const size = fs.fstatSync(fd).size - start;
    if (size % (8 * width)) throw new InputError('store', `${file}: cut short (${size} bytes is not a whole number of rows); make it again`);
    const n = size / (8 * width);
    const buf = Buffer.alloc(8 * width * chunkRows);
    const rows = new Float64Array(buf.buffer, buf.byteOffset, width * chunkRows);
    for (let i0 = 0; i0 < n; i0 += chunkRows) {
      const m = Math.min(chunkRows, n - i0);
      readFully(fd, buf, 8 * width * m, start + 8 * width * i0, file);
      for (let j = 0; j < m; j++) visit(i0 + j, rows, j * width);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** The float64 rows of a whole small file of `kind` (a leaf's bucket), checked. */
export function readRowFile(file: string, kind: BinaryKind, width: number): Float64Array {
  let b: Buffer;
  try {
    b = fs.readFileSync(file);
  } catch (e) {
    throw new InputError('store', `${file}: cannot be read (${(e as Error).message}); make it again`, { cause: e });
  }
  const start = checkHeader(file, b.subarray(0, HEADER_BYTES), kind);
  const body = b.subarray(start);
  if (body.byteLength % (8 * width)) throw new InputError('store', `${file}: cut short; make it again`);
  return new Float64Array(new Uint8Array(body).buffer);
}

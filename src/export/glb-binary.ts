import { Accessor, Extension, Format, GLB_BUFFER, PropertyType, type Document, type JSONDocument, type Mesh, type PlatformIO, type ReaderContext, type WriterContext } from '@gltf-transform/core';

/** glTF's ARRAY_BUFFER target (vertex attributes). */
const ARRAY_BUFFER = 34962;
/** glTF's ELEMENT_ARRAY_BUFFER target (indices). */
const ELEMENT_ARRAY_BUFFER = 34963;

/** One buffer view written straight into the GLB's binary chunk. */
interface TailView {
  /** Its index in `json.bufferViews` (its `byteOffset` is set when the chunk is laid out). */
  index: number;
  byteLength: number;
  /** Alignment of its offset in bytes (4, or 8 for EXT_structural_metadata). */
  align: number;
  /** Write its bytes into `dst` (exactly `byteLength` long, zero-filled). */
  fill(dst: Uint8Array): void;
}

/**
 * The buffer views of the GLB's binary chunk that cityforge's writer extensions lay out themselves,
 * after the bytes glTF-Transform's writer made (textures, meshopt streams). Each is written once,
 * straight into the finished GLB ({@link writeGlbBinary}): glTF-Transform's writer concatenates its
 * views into a buffer (and the index views twice), the property table was appended by a copy of that
 * buffer and the container by one more — four passes over fresh memory, which is slow to touch here
 * (page faults).
 */
export class GlbTail {
  readonly views: TailView[] = [];

  /** Adds a view whose bytes `fill` writes; returns its buffer-view index. */
  add(json: JSONDocument['json'], byteLength: number, align: number, fill: (dst: Uint8Array) => void, extra: { byteStride?: number; target?: number } = {}): number {
    json.bufferViews ??= [];
    const index = json.bufferViews.length;
    json.bufferViews.push({ buffer: 0, byteOffset: 0, byteLength, ...extra });
    this.views.push({ index, byteLength, align, fill });
    return index;
  }
}

/** What the writer extensions that lay out their own bytes share with {@link writeGlbBinary}. */
export interface TailWriter {
  tail: GlbTail | null;
}

/** The tail a {@link TailWriter} extension writes into (set by {@link writeGlbBinary}); `name` says which extension lacked it. */
export function tailOf(e: TailWriter, name: string): GlbTail {
  if (!e.tail) throw new Error(`cityforge export: ${name} writes through writeGlbBinary`);
  return e.tail;
}

/** A group of accessors written as one buffer view: a mesh's vertex attributes, interleaved, or the indices. */
interface Group {
  accessors: Accessor[];
  defs: { bufferView?: number; byteOffset?: number }[];
  /** Interleaved vertex attributes: bytes per vertex; 0 for the concatenated indices. */
  stride: number;
  byteLength: number;
}

/**
 * Lays out the vertex attributes and indices of every mesh in the GLB's binary chunk itself: each
 * mesh's attributes one interleaved, strided `ARRAY_BUFFER` view (as glTF-Transform's writer does, but
 * a typed-array view per attribute instead of a `DataView` call per component: 0.13–0.2 s on SF's
 * 583 k vertices before), every index list in one `ELEMENT_ARRAY_BUFFER` view, written straight into
 * the GLB by {@link writeGlbBinary}. A writer-side helper, not a glTF extension: it claims the accessors
 * before the writer lays out its buffer views and leaves no trace in `extensionsUsed`. Not used with
 * EXT_meshopt_compression, which claims the accessors itself.
 *
 * @example
 * ```ts
 * doc.createExtension(DirectBinary);
 * const glb = await writeGlbBinary(io, doc);
 * ```
 */
export class DirectBinary extends Extension implements TailWriter {
  static override readonly EXTENSION_NAME = 'CITYFORGE_direct_binary';
  override readonly extensionName = 'CITYFORGE_direct_binary';
  override readonly prewriteTypes = [PropertyType.ACCESSOR];
  tail: GlbTail | null = null;
  private groups: Group[] = [];

  override read(_context: ReaderContext): this {
    return this;
  }

  override prewrite(context: WriterContext, type: PropertyType): this {
    if (type === PropertyType.ACCESSOR) this.claim(context);
    return this;
  }

  /** Each mesh's vertex attributes (every primitive's, first seen first), then every index list; their accessor definitions made. */
  private claim(context: WriterContext): void {
    const json = context.jsonDoc.json;
    json.accessors ??= [];
    this.groups = [];
    const claimed = new Set<Accessor>();
    const define = (a: Accessor, byteOffset: number) => {
      const def = context.createAccessorDef(a);
      def.byteOffset = byteOffset;
      context.accessorIndexMap.set(a, json.accessors!.length);
      json.accessors!.push(def);
      claimed.add(a);
      return def;
    };
    const meshes = this.document.getRoot().listMeshes() as Mesh[];
    for (const mesh of meshes) {
      const accessors: Accessor[] = [];
      for (const prim of mesh.listPrimitives())
        for (const a of prim.listAttributes()) if (!claimed.has(a) && !a.getSparse() && !accessors.includes(a)) accessors.push(a);
      if (!accessors.length || accessors.some((a) => a.getCount() !== accessors[0].getCount())) continue;
      const defs: Group['defs'] = [];
      let stride = 0;
      for (const a of accessors) {
        defs.push(define(a, stride));
        stride += pad4(a.getElementSize() * a.getComponentSize());
      }
      this.groups.push({ accessors, defs, stride, byteLength: accessors[0].getCount() * stride });
    }
    const indices: Group = { accessors: [], defs: [], stride: 0, byteLength: 0 };
    for (const mesh of meshes)
      for (const prim of mesh.listPrimitives()) {
        const a = prim.getIndices();
        if (!a || claimed.has(a) || a.getSparse()) continue;
        indices.accessors.push(a);
        indices.defs.push(define(a, indices.byteLength));
        indices.byteLength += pad4(a.getArray()!.byteLength);
      }
    if (indices.accessors.length) this.groups.push(indices);
  }

  override write(context: WriterContext): this {
    const json = context.jsonDoc.json;
    const tail = tailOf(this, 'DirectBinary');
    for (const g of this.groups) {
      const view = g.stride
        ? tail.add(json, g.byteLength, 4, (dst) => interleave(g, dst), { byteStride: g.stride, target: ARRAY_BUFFER })
        : tail.add(json, g.byteLength, 4, (dst) => concatenate(g, dst), { target: ELEMENT_ARRAY_BUFFER });
      for (const def of g.defs) def.bufferView = view;
    }
    // (a helper of the writer, not an extension a reader meets)
    json.extensionsUsed = (json.extensionsUsed ?? []).filter((e) => e !== this.extensionName);
    if (!json.extensionsUsed.length) delete json.extensionsUsed;
    this.groups = [];
    return this;
  }
}

type Typed = ArrayLike<number> & { [i: number]: number };
type TypedConstructor = { new (b: ArrayBuffer, offset: number, length: number): Typed; BYTES_PER_ELEMENT: number };

/** A vertex group's attributes interleaved into `dst`, one typed-array view per attribute. */
function interleave(g: Group, dst: Uint8Array): void {
  const n = g.accessors[0].getCount();
  let offset = 0;
  for (const a of g.accessors) {
    const src = a.getArray()!;
    const size = a.getElementSize();
    const T = src.constructor as TypedConstructor;
    const out = new T(dst.buffer as ArrayBuffer, dst.byteOffset, dst.byteLength / T.BYTES_PER_ELEMENT);
    const step = g.stride / T.BYTES_PER_ELEMENT, at = offset / T.BYTES_PER_ELEMENT;
    for (let i = 0; i < n; i++) for (let j = 0, d = at + i * step, s = i * size; j < size; j++) out[d + j] = src[s + j];
    offset += pad4(size * T.BYTES_PER_ELEMENT);
  }
}

/** The index lists one after another (each from a 4-byte boundary). */
function concatenate(g: Group, dst: Uint8Array): void {
  g.accessors.forEach((a, k) => {
    const src = a.getArray()!;
    dst.set(new Uint8Array(src.buffer, src.byteOffset, src.byteLength), g.defs[k].byteOffset!);
  });
}

/**
 * Writes `doc` as GLB bytes: glTF-Transform's writer makes the JSON (and the bytes of any view it lays
 * out itself), then the container is assembled in one allocation with every {@link GlbTail} view
 * written straight into it: header, JSON chunk (padded with spaces), BIN chunk (padded with zeros).
 * The document's {@link TailWriter} extensions get the tail for the call.
 *
 * @example
 * ```ts
 * const io = new NodeIO().registerExtensions([DirectBinary]);
 * doc.createExtension(DirectBinary);
 * const glb = await writeGlbBinary(io, doc);
 * ```
 */
export async function writeGlbBinary(io: PlatformIO, doc: Document): Promise<Uint8Array> {
  const tail = new GlbTail();
  const writers = doc.getRoot().listExtensionsUsed().filter((e): e is Extension & TailWriter => 'tail' in e);
  for (const e of writers) e.tail = tail;
  try {
    return glbOf(await io.writeJSON(doc, { format: Format.GLB }), tail);
  } finally {
    for (const e of writers) e.tail = null;
  }
}

/** The GLB container of a written document and its tail views. */
function glbOf({ json, resources }: JSONDocument, tail: GlbTail): Uint8Array {
  const head = resources[GLB_BUFFER] ?? Object.values(resources)[0];
  let binLength = head ? head.byteLength : 0;
  for (const v of tail.views) {
    binLength = Math.ceil(binLength / v.align) * v.align;
    json.bufferViews![v.index].byteOffset = binLength;
    binLength += v.byteLength;
  }
  if (tail.views.length) {
    if (!json.buffers?.length) throw new Error('cityforge export: the GLB has views but no buffer');
    json.buffers[0].byteLength = binLength;
  }
  const text = new TextEncoder().encode(JSON.stringify(json));
  const jsonLength = pad4(text.byteLength);
  const binChunk = pad4(binLength);
  const total = 12 + 8 + jsonLength + (binChunk ? 8 + binChunk : 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0x46546c67, true); // 'glTF'
  view.setUint32(4, 2, true);
  view.setUint32(8, total, true);
  view.setUint32(12, jsonLength, true);
  view.setUint32(16, 0x4e4f534a, true); // 'JSON'
  out.set(text, 20);
  out.fill(0x20, 20 + text.byteLength, 20 + jsonLength);
  if (binChunk) {
    const bin = 28 + jsonLength;
    view.setUint32(bin - 8, binChunk, true);
    view.setUint32(bin - 4, 0x004e4942, true); // 'BIN'
    if (head) out.set(head, bin);
    for (const v of tail.views) {
      const at = bin + json.bufferViews![v.index].byteOffset!;
      v.fill(out.subarray(at, at + v.byteLength));
    }
  }
  return out;
}

const pad4 = (n: number) => Math.ceil(n / 4) * 4;

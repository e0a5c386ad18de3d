type TypedArrayCtor<T> = { new (length: number): T };
type NumericArray = Float64Array | Float32Array | Uint32Array | Uint16Array | Uint8Array;

/** An append-only typed array that doubles its capacity; the hot-path container of every builder. */
export class Growable<T extends NumericArray> {
  /** Backing store; valid up to {@link Growable.length}. */
  array: T;
  /** Number of elements written. */
  length = 0;
  private readonly ctor: TypedArrayCtor<T>;

  constructor(ctor: TypedArrayCtor<T>, capacity = 1024) {
    this.ctor = ctor;
    this.array = new ctor(Math.max(16, capacity));
  }

  /** Make room for `n` more elements. */
  reserve(n: number): void {
    const need = this.length + n;
    if (need <= this.array.length) return;
    let cap = this.array.length * 2;
    while (cap < need) cap *= 2;
    const next = new this.ctor(cap);
    next.set(this.array.subarray(0, this.length) as never);
    this.array = next;
  }

  /** Append one value. */
  push(v: number): void {
    if (this.length === this.array.length) this.reserve(1);
    this.array[this.length++] = v;
  }

  /** Append two values. */
  push2(a: number, b: number): void {
    if (this.length + 2 > this.array.length) this.reserve(2);
    this.array[this.length++] = a;
    this.array[this.length++] = b;
  }

  /** Append three values. */
  push3(a: number, b: number, c: number): void {
    if (this.length + 3 > this.array.length) this.reserve(3);
    const arr = this.array;
    arr[this.length++] = a;
    arr[this.length++] = b;
    arr[this.length++] = c;
  }

  /** The written elements (a view: no copy; the builder must not be written to afterwards). */
  toArray(): T {
    return this.array.subarray(0, this.length) as T;
  }
}

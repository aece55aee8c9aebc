/**
 * C `long` / `time_t` arithmetic on LP64 (both 64-bit, two's complement), exact in `bigint`.
 *
 * @category arithmetic
 */
export const LONG_MAX = 2n ** 63n - 1n;
export const LONG_MIN = -(2n ** 63n);

/** Wraps to a signed 64-bit value, as the hardware does for `a + b`. */
export const wrap64 = (v: bigint): bigint => BigInt.asIntN(64, v);
/** Reinterprets a signed 64-bit value as unsigned (`(size_t)larg`). */
export const asUnsigned64 = (v: bigint): bigint => BigInt.asUintN(64, v);
/** Reinterprets an unsigned 64-bit value as signed (`(long)size`). */
export const asSigned64 = (v: bigint): bigint => BigInt.asIntN(64, v);

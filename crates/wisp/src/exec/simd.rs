//! SIMD semantics: every fixed-width and relaxed SIMD operator, once, as a function on lane
//! arrays named after its text name (`i32x4.add` is `i32x4_add`), re-exported by `ops`.
//!
//! A `v128` is a `u128` (lane 0 in the low bits, as Wasm's little-endian layout puts it in
//! memory), viewed as lanes by shifts. On x86-64 the common operators are SSE2 instructions
//! (`sse2!` at the end: LLVM does not find most of them in the lane loops, RATIONALE.md,
//! "SIMD"); the lane functions are the operators on other hosts and the reference the SSE2 ones
//! are tested against. Float lanes reuse the scalar operators' functions, so NaN and signed
//! zero behave as in the scalar operators. Relaxed operators give one answer on every host:
//! the spec's deterministic choice (RATIONALE.md).

use super::ops::{
    f32_ceil, f32_floor, f32_max, f32_min, f32_nearest, f32_trunc, f64_ceil, f64_floor, f64_max, f64_min, f64_nearest,
    f64_trunc,
};

/// Lane views of a `v128` and back. Lane by lane with shifts, and arrays built by `lanewise`:
/// `std::array::from_fn`, `map` and `copy_from_slice` are calls that take a local array's
/// address in builds with debug assertions, which keeps a threaded handler's final call from
/// becoming a jump (`tests/dispatch.rs`, `simd_handlers_tail_call_on_a_small_stack`).
macro_rules! lanes {
    ($($get:ident, $put:ident: $t:ty, $u:ty, $n:literal;)*) => {$(
        #[inline(always)]
        fn $get(v: u128) -> [$t; $n] {
            lanewise(|i| (v >> (i * 128 / $n)) as $u as $t)
        }
        #[inline(always)]
        fn $put(a: [$t; $n]) -> u128 {
            let mut v = 0;
            let mut i = 0;
            while i < $n {
                v |= (a[i] as $u as u128) << (i * 128 / $n);
                i += 1;
            }
            v
        }
    )*};
}

lanes! {
    u8s, from_u8s: u8, u8, 16;
    i8s, from_i8s: i8, u8, 16;
    u16s, from_u16s: u16, u16, 8;
    i16s, from_i16s: i16, u16, 8;
    u32s, from_u32s: u32, u32, 4;
    i32s, from_i32s: i32, u32, 4;
    u64s, from_u64s: u64, u64, 2;
    i64s, from_i64s: i64, u64, 2;
}

/// Float lanes as bits, and back.
macro_rules! float_lanes {
    ($($get:ident, $put:ident: $t:ty, $n:literal, $bits:ident, $from_bits:ident;)*) => {$(
        #[inline(always)]
        fn $get(v: u128) -> [$t; $n] {
            let a = $bits(v);
            lanewise(|i| <$t>::from_bits(a[i]))
        }
        #[inline(always)]
        fn $put(a: [$t; $n]) -> u128 {
            $from_bits(lanewise(|i| a[i].to_bits()))
        }
    )*};
}

float_lanes! {
    f32s, from_f32s: f32, 4, u32s, from_u32s;
    f64s, from_f64s: f64, 2, u64s, from_u64s;
}

/// The array of `f(0)`, `f(1)`, ... (`std::array::from_fn` as a plain loop, see `lanes!`).
#[inline(always)]
fn lanewise<T: Copy + Default, const N: usize>(mut f: impl FnMut(usize) -> T) -> [T; N] {
    let mut a = [T::default(); N];
    let mut i = 0;
    while i < N {
        a[i] = f(i);
        i += 1;
    }
    a
}

/// Lane-wise unary operators: `name: view, back, |x| lane result;`.
macro_rules! map1 {
    ($($name:ident: $get:ident, $put:ident, |$x:ident| $e:expr;)*) => {$(
        #[cfg_attr(target_arch = "x86_64", allow(dead_code))]
        #[inline(always)]
        pub(crate) fn $name(a: u128) -> u128 {
            let a = $get(a);
            $put(lanewise(|i| {
                let $x = a[i];
                $e
            }))
        }
    )*};
}

/// Lane-wise binary operators.
macro_rules! map2 {
    ($($name:ident: $get:ident, $put:ident, |$x:ident, $y:ident| $e:expr;)*) => {$(
        #[cfg_attr(target_arch = "x86_64", allow(dead_code))]
        #[inline(always)]
        pub(crate) fn $name(a: u128, b: u128) -> u128 {
            let (a, b) = ($get(a), $get(b));
            $put(lanewise(|i| {
                let ($x, $y) = (a[i], b[i]);
                $e
            }))
        }
    )*};
}

/// Lane-wise comparisons: all ones where the comparison holds (`$mask` as the lane type).
macro_rules! cmp {
    ($($name:ident: $get:ident, $put:ident, $t:ty, |$x:ident, $y:ident| $e:expr;)*) => {$(
        #[cfg_attr(target_arch = "x86_64", allow(dead_code))]
        #[inline(always)]
        pub(crate) fn $name(a: u128, b: u128) -> u128 {
            let (a, b) = ($get(a), $get(b));
            $put(lanewise(|i| {
                let ($x, $y) = (a[i], b[i]);
                if $e { <$t>::MAX } else { 0 }
            }))
        }
    )*};
}

/// Shifts by a count taken modulo the lane width.
macro_rules! shifts {
    ($($name:ident: $get:ident, $put:ident, $bits:literal, |$x:ident, $s:ident| $e:expr;)*) => {$(
        #[cfg_attr(target_arch = "x86_64", allow(dead_code))]
        #[inline(always)]
        pub(crate) fn $name(a: u128, s: u32) -> u128 {
            let $s = s % $bits;
            let a = $get(a);
            $put(lanewise(|i| {
                let $x = a[i];
                $e
            }))
        }
    )*};
}

/// Lane tests and masks: `all_true`, `bitmask`.
macro_rules! tests {
    ($($all:ident, $mask:ident: $get:ident;)*) => {$(
        #[cfg_attr(target_arch = "x86_64", allow(dead_code))]
        #[inline(always)]
        pub(crate) fn $all(a: u128) -> u32 {
            let a = $get(a);
            let mut all = true;
            let mut i = 0;
            while i < a.len() {
                all &= a[i] != 0;
                i += 1;
            }
            all as u32
        }
        #[cfg_attr(target_arch = "x86_64", allow(dead_code))]
        #[inline(always)]
        pub(crate) fn $mask(a: u128) -> u32 {
            let a = $get(a);
            let mut m = 0;
            let mut i = 0;
            while i < a.len() {
                m |= ((a[i] < 0) as u32) << i;
                i += 1;
            }
            m
        }
    )*};
}

/// Splats, lane extraction and replacement: `splat, extract, replace: view, back, scalar`.
macro_rules! lane_access {
    ($($splat:ident, $extract:ident, $replace:ident: $get:ident, $put:ident, $t:ty, $s:ty;)*) => {$(
        #[cfg_attr(target_arch = "x86_64", allow(dead_code))]
        #[inline(always)]
        pub(crate) fn $splat(x: $s) -> u128 {
            $put([x as $t; 16 / std::mem::size_of::<$t>()])
        }
        #[cfg_attr(target_arch = "x86_64", allow(dead_code))]
        #[inline(always)]
        pub(crate) fn $extract(a: u128, lane: u32) -> $s {
            $get(a)[lane as usize % (16 / std::mem::size_of::<$t>())] as $s
        }
        #[cfg_attr(target_arch = "x86_64", allow(dead_code))]
        #[inline(always)]
        pub(crate) fn $replace(a: u128, x: $s, lane: u32) -> u128 {
            let mut v = $get(a);
            v[lane as usize % (16 / std::mem::size_of::<$t>())] = x as $t;
            $put(v)
        }
    )*};
}

lane_access! {
    i8x16_splat_lanes, i8x16_extract_lane_u, i8x16_replace_lane: u8s, from_u8s, u8, u32;
    i16x8_splat_lanes, i16x8_extract_lane_u, i16x8_replace_lane: u16s, from_u16s, u16, u32;
    i32x4_splat_lanes, i32x4_extract_lane, i32x4_replace_lane: u32s, from_u32s, u32, u32;
    i64x2_splat, i64x2_extract_lane, i64x2_replace_lane: u64s, from_u64s, u64, u64;
}

/// Float lanes move as bits, so NaN payloads survive.
#[inline(always)]
pub(crate) fn f32x4_splat(x: u32) -> u128 {
    i32x4_splat(x)
}
#[inline(always)]
pub(crate) fn f64x2_splat(x: u64) -> u128 {
    i64x2_splat(x)
}
#[inline(always)]
pub(crate) fn f32x4_extract_lane(a: u128, lane: u32) -> u32 {
    i32x4_extract_lane(a, lane)
}
#[inline(always)]
pub(crate) fn f64x2_extract_lane(a: u128, lane: u32) -> u64 {
    i64x2_extract_lane(a, lane)
}
#[inline(always)]
pub(crate) fn f32x4_replace_lane(a: u128, x: u32, lane: u32) -> u128 {
    i32x4_replace_lane(a, x, lane)
}
#[inline(always)]
pub(crate) fn f64x2_replace_lane(a: u128, x: u64, lane: u32) -> u128 {
    i64x2_replace_lane(a, x, lane)
}
#[inline(always)]
pub(crate) fn i8x16_extract_lane_s(a: u128, lane: u32) -> i32 {
    i8s(a)[lane as usize % 16] as i32
}
#[inline(always)]
pub(crate) fn i16x8_extract_lane_s(a: u128, lane: u32) -> i32 {
    i16s(a)[lane as usize % 8] as i32
}

// --- Bitwise -----------------------------------------------------------------------------

#[inline(always)]
pub(crate) fn v128_not(a: u128) -> u128 {
    !a
}
#[inline(always)]
pub(crate) fn v128_and(a: u128, b: u128) -> u128 {
    a & b
}
#[inline(always)]
pub(crate) fn v128_andnot(a: u128, b: u128) -> u128 {
    a & !b
}
#[inline(always)]
pub(crate) fn v128_or(a: u128, b: u128) -> u128 {
    a | b
}
#[inline(always)]
pub(crate) fn v128_xor(a: u128, b: u128) -> u128 {
    a ^ b
}
#[inline(always)]
pub(crate) fn v128_bitselect(a: u128, b: u128, c: u128) -> u128 {
    (a & c) | (b & !c)
}
#[inline(always)]
pub(crate) fn v128_any_true(a: u128) -> u32 {
    (a != 0) as u32
}

// --- Integer lanes -----------------------------------------------------------------------

map1! {
    i8x16_abs: i8s, from_i8s, |x| x.wrapping_abs();
    i8x16_neg_lanes: i8s, from_i8s, |x| x.wrapping_neg();
    i8x16_popcnt: u8s, from_u8s, |x| x.count_ones() as u8;
    i16x8_abs: i16s, from_i16s, |x| x.wrapping_abs();
    i16x8_neg_lanes: i16s, from_i16s, |x| x.wrapping_neg();
    i32x4_abs: i32s, from_i32s, |x| x.wrapping_abs();
    i32x4_neg_lanes: i32s, from_i32s, |x| x.wrapping_neg();
    i64x2_abs: i64s, from_i64s, |x| x.wrapping_abs();
    i64x2_neg_lanes: i64s, from_i64s, |x| x.wrapping_neg();
}

map2! {
    i8x16_add_lanes: u8s, from_u8s, |x, y| x.wrapping_add(y);
    i8x16_add_sat_s_lanes: i8s, from_i8s, |x, y| x.saturating_add(y);
    i8x16_add_sat_u_lanes: u8s, from_u8s, |x, y| x.saturating_add(y);
    i8x16_sub_lanes: u8s, from_u8s, |x, y| x.wrapping_sub(y);
    i8x16_sub_sat_s_lanes: i8s, from_i8s, |x, y| x.saturating_sub(y);
    i8x16_sub_sat_u_lanes: u8s, from_u8s, |x, y| x.saturating_sub(y);
    i8x16_min_s: i8s, from_i8s, |x, y| x.min(y);
    i8x16_min_u_lanes: u8s, from_u8s, |x, y| x.min(y);
    i8x16_max_s: i8s, from_i8s, |x, y| x.max(y);
    i8x16_max_u_lanes: u8s, from_u8s, |x, y| x.max(y);
    i8x16_avgr_u_lanes: u8s, from_u8s, |x, y| ((x as u16 + y as u16 + 1) >> 1) as u8;
    i16x8_add_lanes: u16s, from_u16s, |x, y| x.wrapping_add(y);
    i16x8_add_sat_s_lanes: i16s, from_i16s, |x, y| x.saturating_add(y);
    i16x8_add_sat_u_lanes: u16s, from_u16s, |x, y| x.saturating_add(y);
    i16x8_sub_lanes: u16s, from_u16s, |x, y| x.wrapping_sub(y);
    i16x8_sub_sat_s_lanes: i16s, from_i16s, |x, y| x.saturating_sub(y);
    i16x8_sub_sat_u_lanes: u16s, from_u16s, |x, y| x.saturating_sub(y);
    i16x8_mul_lanes: u16s, from_u16s, |x, y| x.wrapping_mul(y);
    i16x8_min_s_lanes: i16s, from_i16s, |x, y| x.min(y);
    i16x8_min_u: u16s, from_u16s, |x, y| x.min(y);
    i16x8_max_s_lanes: i16s, from_i16s, |x, y| x.max(y);
    i16x8_max_u: u16s, from_u16s, |x, y| x.max(y);
    i16x8_avgr_u_lanes: u16s, from_u16s, |x, y| ((x as u32 + y as u32 + 1) >> 1) as u16;
    i16x8_q15mulr_sat_s: i16s, from_i16s, |x, y| q15mulr(x, y);
    i32x4_add_lanes: u32s, from_u32s, |x, y| x.wrapping_add(y);
    i32x4_sub_lanes: u32s, from_u32s, |x, y| x.wrapping_sub(y);
    i32x4_mul: u32s, from_u32s, |x, y| x.wrapping_mul(y);
    i32x4_min_s: i32s, from_i32s, |x, y| x.min(y);
    i32x4_min_u: u32s, from_u32s, |x, y| x.min(y);
    i32x4_max_s: i32s, from_i32s, |x, y| x.max(y);
    i32x4_max_u: u32s, from_u32s, |x, y| x.max(y);
    i64x2_add_lanes: u64s, from_u64s, |x, y| x.wrapping_add(y);
    i64x2_sub_lanes: u64s, from_u64s, |x, y| x.wrapping_sub(y);
    i64x2_mul: u64s, from_u64s, |x, y| x.wrapping_mul(y);
}

/// Rounding, saturating Q15 multiplication.
#[inline(always)]
fn q15mulr(x: i16, y: i16) -> i16 {
    ((x as i32 * y as i32 + 0x4000) >> 15).clamp(i16::MIN as i32, i16::MAX as i32) as i16
}

cmp! {
    i8x16_eq_lanes: u8s, from_u8s, u8, |x, y| x == y;
    i8x16_ne_lanes: u8s, from_u8s, u8, |x, y| x != y;
    i16x8_eq_lanes: u16s, from_u16s, u16, |x, y| x == y;
    i16x8_ne_lanes: u16s, from_u16s, u16, |x, y| x != y;
    i32x4_eq_lanes: u32s, from_u32s, u32, |x, y| x == y;
    i32x4_ne_lanes: u32s, from_u32s, u32, |x, y| x != y;
    i64x2_eq: u64s, from_u64s, u64, |x, y| x == y;
    i64x2_ne: u64s, from_u64s, u64, |x, y| x != y;
}

/// Ordered integer comparisons, signed and unsigned: `name: signed view, unsigned view, back`.
macro_rules! int_orders {
    ($($lt_s:ident $lt_u:ident $gt_s:ident $gt_u:ident $le_s:ident $le_u:ident $ge_s:ident $ge_u:ident:
        $s:ident, $u:ident, $put:ident, $t:ty;)*) => {$(
        cmp! {
            $lt_s: $s, $put, $t, |x, y| x < y;
            $lt_u: $u, $put, $t, |x, y| x < y;
            $gt_s: $s, $put, $t, |x, y| x > y;
            $gt_u: $u, $put, $t, |x, y| x > y;
            $le_s: $s, $put, $t, |x, y| x <= y;
            $le_u: $u, $put, $t, |x, y| x <= y;
            $ge_s: $s, $put, $t, |x, y| x >= y;
            $ge_u: $u, $put, $t, |x, y| x >= y;
        }
    )*};
}

int_orders! {
    i8x16_lt_s_lanes i8x16_lt_u i8x16_gt_s_lanes i8x16_gt_u i8x16_le_s i8x16_le_u i8x16_ge_s i8x16_ge_u: i8s, u8s, from_u8s, u8;
    i16x8_lt_s_lanes i16x8_lt_u i16x8_gt_s_lanes i16x8_gt_u i16x8_le_s i16x8_le_u i16x8_ge_s i16x8_ge_u: i16s, u16s, from_u16s, u16;
    i32x4_lt_s_lanes i32x4_lt_u i32x4_gt_s_lanes i32x4_gt_u i32x4_le_s i32x4_le_u i32x4_ge_s i32x4_ge_u: i32s, u32s, from_u32s, u32;
}

cmp! {
    i64x2_lt_s: i64s, from_u64s, u64, |x, y| x < y;
    i64x2_gt_s: i64s, from_u64s, u64, |x, y| x > y;
    i64x2_le_s: i64s, from_u64s, u64, |x, y| x <= y;
    i64x2_ge_s: i64s, from_u64s, u64, |x, y| x >= y;
    f32x4_eq_lanes: f32s, from_u32s, u32, |x, y| x == y;
    f32x4_ne_lanes: f32s, from_u32s, u32, |x, y| x != y;
    f32x4_lt_lanes: f32s, from_u32s, u32, |x, y| x < y;
    f32x4_gt_lanes: f32s, from_u32s, u32, |x, y| x > y;
    f32x4_le_lanes: f32s, from_u32s, u32, |x, y| x <= y;
    f32x4_ge_lanes: f32s, from_u32s, u32, |x, y| x >= y;
    f64x2_eq_lanes: f64s, from_u64s, u64, |x, y| x == y;
    f64x2_ne_lanes: f64s, from_u64s, u64, |x, y| x != y;
    f64x2_lt_lanes: f64s, from_u64s, u64, |x, y| x < y;
    f64x2_gt_lanes: f64s, from_u64s, u64, |x, y| x > y;
    f64x2_le_lanes: f64s, from_u64s, u64, |x, y| x <= y;
    f64x2_ge_lanes: f64s, from_u64s, u64, |x, y| x >= y;
}

shifts! {
    i8x16_shl: u8s, from_u8s, 8, |x, s| x << s;
    i8x16_shr_s: i8s, from_i8s, 8, |x, s| x >> s;
    i8x16_shr_u: u8s, from_u8s, 8, |x, s| x >> s;
    i16x8_shl_lanes: u16s, from_u16s, 16, |x, s| x << s;
    i16x8_shr_s_lanes: i16s, from_i16s, 16, |x, s| x >> s;
    i16x8_shr_u_lanes: u16s, from_u16s, 16, |x, s| x >> s;
    i32x4_shl_lanes: u32s, from_u32s, 32, |x, s| x << s;
    i32x4_shr_s_lanes: i32s, from_i32s, 32, |x, s| x >> s;
    i32x4_shr_u_lanes: u32s, from_u32s, 32, |x, s| x >> s;
    i64x2_shl_lanes: u64s, from_u64s, 64, |x, s| x << s;
    i64x2_shr_s: i64s, from_i64s, 64, |x, s| x >> s;
    i64x2_shr_u_lanes: u64s, from_u64s, 64, |x, s| x >> s;
}

tests! {
    i8x16_all_true_lanes, i8x16_bitmask_lanes: i8s;
    i16x8_all_true_lanes, i16x8_bitmask_lanes: i16s;
    i32x4_all_true_lanes, i32x4_bitmask_lanes: i32s;
    i64x2_all_true, i64x2_bitmask_lanes: i64s;
}

/// Narrowing with saturation: `a`'s lanes, then `b`'s.
macro_rules! narrow {
    ($($name:ident: $get:ident, $put:ident, $t:ty, $n:literal;)*) => {$(
        #[cfg_attr(target_arch = "x86_64", allow(dead_code))]
        #[inline(always)]
        pub(crate) fn $name(a: u128, b: u128) -> u128 {
            let (a, b) = ($get(a), $get(b));
            $put(lanewise(|i| {
                let x = if i < $n { a[i] } else { b[i - $n] };
                x.clamp(<$t>::MIN as _, <$t>::MAX as _) as $t
            }))
        }
    )*};
}

narrow! {
    i8x16_narrow_i16x8_s_lanes: i16s, from_i8s, i8, 8;
    i8x16_narrow_i16x8_u_lanes: i16s, from_u8s, u8, 8;
    i16x8_narrow_i32x4_s_lanes: i32s, from_i16s, i16, 4;
    i16x8_narrow_i32x4_u: i32s, from_u16s, u16, 4;
}

/// Widening of the low or high half: `name: view, back, wide type, first lane`.
macro_rules! extend {
    ($($name:ident: $get:ident, $put:ident, $w:ty, $from:literal;)*) => {$(
        #[cfg_attr(target_arch = "x86_64", allow(dead_code))]
        #[inline(always)]
        pub(crate) fn $name(a: u128) -> u128 {
            let a = $get(a);
            $put(lanewise(|i| a[$from + i] as $w))
        }
    )*};
}

extend! {
    i16x8_extend_low_i8x16_s_lanes: i8s, from_i16s, i16, 0;
    i16x8_extend_high_i8x16_s_lanes: i8s, from_i16s, i16, 8;
    i16x8_extend_low_i8x16_u_lanes: u8s, from_u16s, u16, 0;
    i16x8_extend_high_i8x16_u_lanes: u8s, from_u16s, u16, 8;
    i32x4_extend_low_i16x8_s_lanes: i16s, from_i32s, i32, 0;
    i32x4_extend_high_i16x8_s_lanes: i16s, from_i32s, i32, 4;
    i32x4_extend_low_i16x8_u_lanes: u16s, from_u32s, u32, 0;
    i32x4_extend_high_i16x8_u_lanes: u16s, from_u32s, u32, 4;
    i64x2_extend_low_i32x4_s_lanes: i32s, from_i64s, i64, 0;
    i64x2_extend_high_i32x4_s_lanes: i32s, from_i64s, i64, 2;
    i64x2_extend_low_i32x4_u_lanes: u32s, from_u64s, u64, 0;
    i64x2_extend_high_i32x4_u_lanes: u32s, from_u64s, u64, 2;
}

/// Widening multiplication of the low or high halves.
macro_rules! extmul {
    ($($name:ident: $get:ident, $put:ident, $w:ty, $from:literal;)*) => {$(
        #[cfg_attr(target_arch = "x86_64", allow(dead_code))]
        #[inline(always)]
        pub(crate) fn $name(a: u128, b: u128) -> u128 {
            let (a, b) = ($get(a), $get(b));
            $put(lanewise(|i| (a[$from + i] as $w).wrapping_mul(b[$from + i] as $w)))
        }
    )*};
}

extmul! {
    i16x8_extmul_low_i8x16_s_lanes: i8s, from_i16s, i16, 0;
    i16x8_extmul_high_i8x16_s_lanes: i8s, from_i16s, i16, 8;
    i16x8_extmul_low_i8x16_u_lanes: u8s, from_u16s, u16, 0;
    i16x8_extmul_high_i8x16_u_lanes: u8s, from_u16s, u16, 8;
    i32x4_extmul_low_i16x8_s_lanes: i16s, from_i32s, i32, 0;
    i32x4_extmul_high_i16x8_s_lanes: i16s, from_i32s, i32, 4;
    i32x4_extmul_low_i16x8_u_lanes: u16s, from_u32s, u32, 0;
    i32x4_extmul_high_i16x8_u_lanes: u16s, from_u32s, u32, 4;
    i64x2_extmul_low_i32x4_s: i32s, from_i64s, i64, 0;
    i64x2_extmul_high_i32x4_s: i32s, from_i64s, i64, 2;
    i64x2_extmul_low_i32x4_u: u32s, from_u64s, u64, 0;
    i64x2_extmul_high_i32x4_u: u32s, from_u64s, u64, 2;
}

/// Pairwise widening addition.
macro_rules! extadd {
    ($($name:ident: $get:ident, $put:ident, $w:ty;)*) => {$(
        #[inline(always)]
        pub(crate) fn $name(a: u128) -> u128 {
            let a = $get(a);
            $put(lanewise(|i| a[2 * i] as $w + a[2 * i + 1] as $w))
        }
    )*};
}

extadd! {
    i16x8_extadd_pairwise_i8x16_s: i8s, from_i16s, i16;
    i16x8_extadd_pairwise_i8x16_u: u8s, from_u16s, u16;
    i32x4_extadd_pairwise_i16x8_s: i16s, from_i32s, i32;
    i32x4_extadd_pairwise_i16x8_u: u16s, from_u32s, u32;
}

#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
#[inline(always)]
pub(crate) fn i32x4_dot_i16x8_s_lanes(a: u128, b: u128) -> u128 {
    let (a, b) = (i16s(a), i16s(b));
    from_i32s(lanewise(|i| (a[2 * i] as i32 * b[2 * i] as i32).wrapping_add(a[2 * i + 1] as i32 * b[2 * i + 1] as i32)))
}

// --- Float lanes ---------------------------------------------------------------------------

map1! {
    f32x4_abs_lanes: u32s, from_u32s, |x| x & 0x7fff_ffff;
    f32x4_neg_lanes: u32s, from_u32s, |x| x ^ 0x8000_0000;
    f32x4_sqrt_lanes: f32s, from_f32s, |x| x.sqrt();
    f32x4_ceil: f32s, from_f32s, |x| f32_ceil(x);
    f32x4_floor: f32s, from_f32s, |x| f32_floor(x);
    f32x4_trunc: f32s, from_f32s, |x| f32_trunc(x);
    f32x4_nearest: f32s, from_f32s, |x| f32_nearest(x);
    f64x2_abs_lanes: u64s, from_u64s, |x| x & 0x7fff_ffff_ffff_ffff;
    f64x2_neg_lanes: u64s, from_u64s, |x| x ^ 0x8000_0000_0000_0000;
    f64x2_sqrt_lanes: f64s, from_f64s, |x| x.sqrt();
    f64x2_ceil: f64s, from_f64s, |x| f64_ceil(x);
    f64x2_floor: f64s, from_f64s, |x| f64_floor(x);
    f64x2_trunc: f64s, from_f64s, |x| f64_trunc(x);
    f64x2_nearest: f64s, from_f64s, |x| f64_nearest(x);
    i32x4_trunc_sat_f32x4_s: f32s, from_i32s, |x| x as i32;
    i32x4_trunc_sat_f32x4_u: f32s, from_u32s, |x| x as u32;
    f32x4_convert_i32x4_s_lanes: i32s, from_f32s, |x| x as f32;
    f32x4_convert_i32x4_u: u32s, from_f32s, |x| x as f32;
}

map2! {
    f32x4_add_lanes: f32s, from_f32s, |x, y| x + y;
    f32x4_sub_lanes: f32s, from_f32s, |x, y| x - y;
    f32x4_mul_lanes: f32s, from_f32s, |x, y| x * y;
    f32x4_div_lanes: f32s, from_f32s, |x, y| x / y;
    f32x4_min: f32s, from_f32s, |x, y| f32_min(x, y);
    f32x4_max: f32s, from_f32s, |x, y| f32_max(x, y);
    f32x4_pmin: f32s, from_f32s, |x, y| if y < x { y } else { x };
    f32x4_pmax: f32s, from_f32s, |x, y| if x < y { y } else { x };
    f64x2_add_lanes: f64s, from_f64s, |x, y| x + y;
    f64x2_sub_lanes: f64s, from_f64s, |x, y| x - y;
    f64x2_mul_lanes: f64s, from_f64s, |x, y| x * y;
    f64x2_div_lanes: f64s, from_f64s, |x, y| x / y;
    f64x2_min: f64s, from_f64s, |x, y| f64_min(x, y);
    f64x2_max: f64s, from_f64s, |x, y| f64_max(x, y);
    f64x2_pmin: f64s, from_f64s, |x, y| if y < x { y } else { x };
    f64x2_pmax: f64s, from_f64s, |x, y| if x < y { y } else { x };
}

/// Conversions of the two low lanes (the rest of a wider result zero): `name: view, back,
/// lane type, zero lanes`.
macro_rules! low_two {
    ($($name:ident: $get:ident, $put:ident, $t:ty, [$($zero:expr),*];)*) => {$(
        #[inline(always)]
        pub(crate) fn $name(a: u128) -> u128 {
            let a = $get(a);
            $put([a[0] as $t, a[1] as $t $(, $zero)*])
        }
    )*};
}

low_two! {
    f32x4_demote_f64x2_zero: f64s, from_f32s, f32, [0.0, 0.0];
    f64x2_promote_low_f32x4: f32s, from_f64s, f64, [];
    i32x4_trunc_sat_f64x2_s_zero: f64s, from_i32s, i32, [0, 0];
    i32x4_trunc_sat_f64x2_u_zero: f64s, from_u32s, u32, [0, 0];
    f64x2_convert_low_i32x4_s: i32s, from_f64s, f64, [];
    f64x2_convert_low_i32x4_u: u32s, from_f64s, f64, [];
}

// --- Shuffles ------------------------------------------------------------------------------

#[inline(always)]
pub(crate) fn i8x16_swizzle(a: u128, s: u128) -> u128 {
    let (a, s) = (u8s(a), u8s(s));
    from_u8s(lanewise(|j| {
        let i = s[j];
        if i < 16 {
            a[i as usize]
        } else {
            0
        }
    }))
}

/// `i8x16.shuffle` with its lane indices as a `v128` (each below 32, as validation checked).
#[inline(always)]
pub(crate) fn i8x16_shuffle(a: u128, b: u128, lanes: u128) -> u128 {
    let (a, b, l) = (u8s(a), u8s(b), u8s(lanes));
    from_u8s(lanewise(|j| {
        let i = l[j];
        if i < 16 {
            a[i as usize]
        } else {
            b[(i & 15) as usize]
        }
    }))
}

// --- Memory --------------------------------------------------------------------------------

#[inline(always)]
pub(crate) fn v128_load(b: [u8; 16]) -> u128 {
    u128::from_le_bytes(b)
}
#[inline(always)]
pub(crate) fn v128_store(v: u128) -> [u8; 16] {
    v.to_le_bytes()
}

/// Loads of eight bytes widened to lanes of twice their width.
macro_rules! load_extend {
    ($($name:ident: $t:ty, $n:literal, $w:literal, $wide:ty, $put:ident;)*) => {$(
        #[inline(always)]
        pub(crate) fn $name(b: [u8; 8]) -> u128 {
            let v = u64::from_le_bytes(b);
            $put(lanewise(|i| (v >> (i * 8 * $w)) as $t as $wide))
        }
    )*};
}

load_extend! {
    v128_load8x8_s: i8, 8, 1, i16, from_i16s;
    v128_load8x8_u: u8, 8, 1, u16, from_u16s;
    v128_load16x4_s: i16, 4, 2, i32, from_i32s;
    v128_load16x4_u: u16, 4, 2, u32, from_u32s;
    v128_load32x2_s: i32, 2, 4, i64, from_i64s;
    v128_load32x2_u: u32, 2, 4, u64, from_u64s;
}

#[inline(always)]
pub(crate) fn v128_load8_splat(b: [u8; 1]) -> u128 {
    i8x16_splat(b[0] as u32)
}
#[inline(always)]
pub(crate) fn v128_load16_splat(b: [u8; 2]) -> u128 {
    i16x8_splat(u16::from_le_bytes(b) as u32)
}
#[inline(always)]
pub(crate) fn v128_load32_splat(b: [u8; 4]) -> u128 {
    i32x4_splat(u32::from_le_bytes(b))
}
#[inline(always)]
pub(crate) fn v128_load64_splat(b: [u8; 8]) -> u128 {
    i64x2_splat(u64::from_le_bytes(b))
}
#[inline(always)]
pub(crate) fn v128_load32_zero(b: [u8; 4]) -> u128 {
    u32::from_le_bytes(b) as u128
}
#[inline(always)]
pub(crate) fn v128_load64_zero(b: [u8; 8]) -> u128 {
    u64::from_le_bytes(b) as u128
}

/// Lane loads and stores: `load, store: bytes, lanes`.
macro_rules! lane_memory {
    ($($load:ident, $store:ident: $t:ty, $n:literal;)*) => {$(
        #[inline(always)]
        pub(crate) fn $load(v: u128, b: [u8; 128 / 8 / $n], lane: u32) -> u128 {
            let at = (lane as usize % $n) * (128 / $n);
            (v & !((<$t>::MAX as u128) << at)) | ((<$t>::from_le_bytes(b) as u128) << at)
        }
        #[inline(always)]
        pub(crate) fn $store(v: u128, lane: u32) -> [u8; 128 / 8 / $n] {
            ((v >> ((lane as usize % $n) * (128 / $n))) as $t).to_le_bytes()
        }
    )*};
}

lane_memory! {
    v128_load8_lane, v128_store8_lane: u8, 16;
    v128_load16_lane, v128_store16_lane: u16, 8;
    v128_load32_lane, v128_store32_lane: u32, 4;
    v128_load64_lane, v128_store64_lane: u64, 2;
}

// --- Relaxed SIMD: the deterministic choice of each --------------------------------------------

/// Out-of-range indices select zero, as `i8x16.swizzle`.
#[inline(always)]
pub(crate) fn i8x16_relaxed_swizzle(a: u128, s: u128) -> u128 {
    i8x16_swizzle(a, s)
}
/// Saturating, NaN to zero, as `trunc_sat`.
#[inline(always)]
pub(crate) fn i32x4_relaxed_trunc_f32x4_s(a: u128) -> u128 {
    i32x4_trunc_sat_f32x4_s(a)
}
#[inline(always)]
pub(crate) fn i32x4_relaxed_trunc_f32x4_u(a: u128) -> u128 {
    i32x4_trunc_sat_f32x4_u(a)
}
#[inline(always)]
pub(crate) fn i32x4_relaxed_trunc_f64x2_s_zero(a: u128) -> u128 {
    i32x4_trunc_sat_f64x2_s_zero(a)
}
#[inline(always)]
pub(crate) fn i32x4_relaxed_trunc_f64x2_u_zero(a: u128) -> u128 {
    i32x4_trunc_sat_f64x2_u_zero(a)
}

/// `a * b + c` (and `-(a * b) + c`) with one rounding: fused, on every host (`mul_add` is
/// exact in software where the host has no fused instruction).
macro_rules! madd {
    ($($madd:ident, $nmadd:ident: $get:ident, $put:ident;)*) => {$(
        #[inline(always)]
        pub(crate) fn $madd(a: u128, b: u128, c: u128) -> u128 {
            let (a, b, c) = ($get(a), $get(b), $get(c));
            $put(lanewise(|i| a[i].mul_add(b[i], c[i])))
        }
        #[inline(always)]
        pub(crate) fn $nmadd(a: u128, b: u128, c: u128) -> u128 {
            let (a, b, c) = ($get(a), $get(b), $get(c));
            $put(lanewise(|i| (-a[i]).mul_add(b[i], c[i])))
        }
    )*};
}

madd! {
    f32x4_relaxed_madd, f32x4_relaxed_nmadd: f32s, from_f32s;
    f64x2_relaxed_madd, f64x2_relaxed_nmadd: f64s, from_f64s;
}

/// Bit by bit, as `v128.bitselect`.
#[inline(always)]
pub(crate) fn i8x16_relaxed_laneselect(a: u128, b: u128, m: u128) -> u128 {
    v128_bitselect(a, b, m)
}
#[inline(always)]
pub(crate) fn i16x8_relaxed_laneselect(a: u128, b: u128, m: u128) -> u128 {
    v128_bitselect(a, b, m)
}
#[inline(always)]
pub(crate) fn i32x4_relaxed_laneselect(a: u128, b: u128, m: u128) -> u128 {
    v128_bitselect(a, b, m)
}
#[inline(always)]
pub(crate) fn i64x2_relaxed_laneselect(a: u128, b: u128, m: u128) -> u128 {
    v128_bitselect(a, b, m)
}
/// As `min` and `max` (NaN propagates, -0 below +0).
#[inline(always)]
pub(crate) fn f32x4_relaxed_min(a: u128, b: u128) -> u128 {
    f32x4_min(a, b)
}
#[inline(always)]
pub(crate) fn f32x4_relaxed_max(a: u128, b: u128) -> u128 {
    f32x4_max(a, b)
}
#[inline(always)]
pub(crate) fn f64x2_relaxed_min(a: u128, b: u128) -> u128 {
    f64x2_min(a, b)
}
#[inline(always)]
pub(crate) fn f64x2_relaxed_max(a: u128, b: u128) -> u128 {
    f64x2_max(a, b)
}
/// Saturating, as `i16x8.q15mulr_sat_s`.
#[inline(always)]
pub(crate) fn i16x8_relaxed_q15mulr_s(a: u128, b: u128) -> u128 {
    i16x8_q15mulr_sat_s(a, b)
}
/// Both operands' bytes signed.
#[inline(always)]
pub(crate) fn i16x8_relaxed_dot_i8x16_i7x16_s(a: u128, b: u128) -> u128 {
    let (a, b) = (i8s(a), i8s(b));
    from_i16s(lanewise(|i| (a[2 * i] as i16 * b[2 * i] as i16).wrapping_add(a[2 * i + 1] as i16 * b[2 * i + 1] as i16)))
}
/// The specification's definition: the 16-bit dot products above (each pair's sum wraps to
/// 16 bits), their pairs added into 32 bits, plus `c`. Four products summed straight into 32
/// bits give 65,536 for bytes all -128, which is none of the answers the specification allows.
#[inline(always)]
pub(crate) fn i32x4_relaxed_dot_i8x16_i7x16_add_s(a: u128, b: u128, c: u128) -> u128 {
    let (dot, c) = (i16s(i16x8_relaxed_dot_i8x16_i7x16_s(a, b)), i32s(c));
    from_i32s(lanewise(|i| (dot[2 * i] as i32 + dot[2 * i + 1] as i32).wrapping_add(c[i])))
}

// --- x86-64: SSE2 ------------------------------------------------------------------------------

/// The operators that x86-64's baseline (SSE2, on every x86-64 processor, so nothing is
/// detected at run time) has an instruction or a short sequence for: `name(params) -> result =
/// lane function: intrinsic expression`, the `v128` parameters as `__m128i` in the expression.
/// LLVM finds few of these in the lane functions once the lanes come through a `u128` in two
/// general registers (RATIONALE.md, "SIMD"); on other hosts the lane function is the operator.
/// `tests::sse2_agrees_with_lanes` runs both on the same operands.
macro_rules! sse2 {
    ($($name:ident($($a:ident: $t:ty),*) -> $r:ty = $lanes:ident: $e:expr;)*) => {
        $(
            #[inline(always)]
            pub(crate) fn $name($($a: $t),*) -> $r {
                #[cfg(target_arch = "x86_64")]
                {
                    #[allow(unused_imports)]
                    use std::arch::x86_64::*;
                    let ($($a,)*) = ($(sse2::Arg::m($a),)*);
                    // SAFETY: the intrinsics are SSE2 instructions, which every x86-64 processor
                    // has, and they read nothing but their operands.
                    sse2::Back::back(unsafe { $e })
                }
                #[cfg(not(target_arch = "x86_64"))]
                $lanes($($a),*)
            }
        )*

        #[cfg(all(test, target_arch = "x86_64"))]
        mod sse2_tests {
            use super::*;

            #[test]
            fn sse2_agrees_with_lanes() {
                let mut rng = sse2::Samples(0x9E37_79B9_7F4A_7C15);
                let mut checked = 0;
                for _ in 0..4000 {
                    $(
                        let ($($a,)*) = ($(<$t as sse2::Sample>::pick(&mut rng),)*);
                        let (got, want) = ($name($($a),*), $lanes($($a),*));
                        assert!(
                            sse2::Sample::same(got, want, stringify!($name)),
                            "{}{:x?}: {got:x} vs {want:x}",
                            stringify!($name),
                            ($($a,)*)
                        );
                        checked += 1;
                    )*
                }
                assert!(checked > 0);
            }
        }
    };
}

/// Conversions between a `v128` and SSE2's register type, and the operands the test draws.
#[cfg(target_arch = "x86_64")]
mod sse2 {
    use std::arch::x86_64::*;

    /// An operand as the intrinsics take it.
    pub(super) trait Arg {
        type M;
        fn m(self) -> Self::M;
    }
    impl Arg for u128 {
        type M = __m128i;
        #[inline(always)]
        fn m(self) -> __m128i {
            // The high half through a register LLVM cannot see into: otherwise it reads both
            // halves of an operand below the top of the stack with one 16-byte load, which
            // cannot take its data from the two 8-byte stores that wrote the slots an
            // instruction or two before (store forwarding fails: a stall of about a dozen
            // cycles on the operand, where two 8-byte loads are forwarded). A vector register,
            // so a half in memory is loaded straight into it (`movq xmm, m64`) and takes no
            // general register, which the handlers' six arguments leave three of.
            // SAFETY: SSE2 (every x86-64 processor has it): moves of 64-bit halves; and an
            // empty instruction sequence that touches no memory, stack or flags.
            unsafe {
                let mut hi = _mm_cvtsi64_si128((self >> 64) as i64);
                std::arch::asm!("/* {0} */", inout(xmm_reg) hi, options(pure, nomem, nostack, preserves_flags));
                _mm_unpacklo_epi64(_mm_cvtsi64_si128(self as i64), hi)
            }
        }
    }
    impl Arg for u32 {
        type M = u32;
        #[inline(always)]
        fn m(self) -> u32 {
            self
        }
    }

    /// A result as the operator gives it.
    pub(super) trait Back<T> {
        fn back(self) -> T;
    }
    impl Back<u128> for __m128i {
        #[inline(always)]
        fn back(self) -> u128 {
            // SAFETY: SSE2 (every x86-64 processor has it); moves of the two 64-bit halves.
            let (lo, hi) = unsafe { (_mm_cvtsi128_si64(self), _mm_cvtsi128_si64(_mm_unpackhi_epi64(self, self))) };
            (lo as u64 as u128) | ((hi as u64 as u128) << 64)
        }
    }
    impl Back<u32> for i32 {
        #[inline(always)]
        fn back(self) -> u32 {
            self as u32
        }
    }

    /// Operands for the test: lanes of edge values and random bytes.
    #[cfg(test)]
    pub(super) struct Samples(pub(super) u64);
    #[cfg(test)]
    impl Samples {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }
    #[cfg(test)]
    pub(super) trait Sample: Sized {
        fn pick(s: &mut Samples) -> Self;
        /// Whether two results of operator `name` agree: bit for bit, except that a float lane
        /// that is NaN in both may carry either operand's payload (Wasm allows any; LLVM may
        /// swap a commutative operation's operands).
        fn same(a: Self, b: Self, name: &str) -> bool;
    }
    #[cfg(test)]
    impl Sample for u128 {
        fn same(a: u128, b: u128, name: &str) -> bool {
            let lanes = |bits: u32| {
                (0..128 / bits).all(|i| {
                    let (x, y) = (a >> (i * bits), b >> (i * bits));
                    let (x, y) = if bits == 32 {
                        ((x as u32 == y as u32), f32::from_bits(x as u32).is_nan() && f32::from_bits(y as u32).is_nan())
                    } else {
                        ((x as u64 == y as u64), f64::from_bits(x as u64).is_nan() && f64::from_bits(y as u64).is_nan())
                    };
                    x || y
                })
            };
            match &name[..5] {
                "f32x4" => lanes(32),
                "f64x2" => lanes(64),
                _ => a == b,
            }
        }
        fn pick(s: &mut Samples) -> u128 {
            const EDGES: [u8; 8] = [0, 1, 0x7f, 0x80, 0xff, 0xfe, 0x81, 0x7e];
            let mut b = [0u8; 16];
            for x in b.iter_mut() {
                let r = s.next();
                *x = if r & 3 == 0 { (r >> 8) as u8 } else { EDGES[(r >> 8) as usize % EDGES.len()] };
            }
            u128::from_le_bytes(b)
        }
    }
    #[cfg(test)]
    impl Sample for u32 {
        fn same(a: u32, b: u32, _: &str) -> bool {
            a == b
        }
        fn pick(s: &mut Samples) -> u32 {
            (s.next() % 200) as u32
        }
    }
}

/// A float operator on `__m128i` operands (`ps!(_mm_add_ps(a, b))`).
#[cfg(target_arch = "x86_64")]
macro_rules! ps {
    ($f:ident($($a:expr),*)) => {
        _mm_castps_si128($f($(_mm_castsi128_ps($a)),*))
    };
}
#[cfg(target_arch = "x86_64")]
macro_rules! pd {
    ($f:ident($($a:expr),*)) => {
        _mm_castpd_si128($f($(_mm_castsi128_pd($a)),*))
    };
}

sse2! {
    i8x16_add(a: u128, b: u128) -> u128 = i8x16_add_lanes: _mm_add_epi8(a, b);
    i16x8_add(a: u128, b: u128) -> u128 = i16x8_add_lanes: _mm_add_epi16(a, b);
    i32x4_add(a: u128, b: u128) -> u128 = i32x4_add_lanes: _mm_add_epi32(a, b);
    i64x2_add(a: u128, b: u128) -> u128 = i64x2_add_lanes: _mm_add_epi64(a, b);
    i8x16_sub(a: u128, b: u128) -> u128 = i8x16_sub_lanes: _mm_sub_epi8(a, b);
    i16x8_sub(a: u128, b: u128) -> u128 = i16x8_sub_lanes: _mm_sub_epi16(a, b);
    i32x4_sub(a: u128, b: u128) -> u128 = i32x4_sub_lanes: _mm_sub_epi32(a, b);
    i64x2_sub(a: u128, b: u128) -> u128 = i64x2_sub_lanes: _mm_sub_epi64(a, b);
    i8x16_add_sat_s(a: u128, b: u128) -> u128 = i8x16_add_sat_s_lanes: _mm_adds_epi8(a, b);
    i8x16_add_sat_u(a: u128, b: u128) -> u128 = i8x16_add_sat_u_lanes: _mm_adds_epu8(a, b);
    i16x8_add_sat_s(a: u128, b: u128) -> u128 = i16x8_add_sat_s_lanes: _mm_adds_epi16(a, b);
    i16x8_add_sat_u(a: u128, b: u128) -> u128 = i16x8_add_sat_u_lanes: _mm_adds_epu16(a, b);
    i8x16_sub_sat_s(a: u128, b: u128) -> u128 = i8x16_sub_sat_s_lanes: _mm_subs_epi8(a, b);
    i8x16_sub_sat_u(a: u128, b: u128) -> u128 = i8x16_sub_sat_u_lanes: _mm_subs_epu8(a, b);
    i16x8_sub_sat_s(a: u128, b: u128) -> u128 = i16x8_sub_sat_s_lanes: _mm_subs_epi16(a, b);
    i16x8_sub_sat_u(a: u128, b: u128) -> u128 = i16x8_sub_sat_u_lanes: _mm_subs_epu16(a, b);
    i16x8_mul(a: u128, b: u128) -> u128 = i16x8_mul_lanes: _mm_mullo_epi16(a, b);
    i8x16_min_u(a: u128, b: u128) -> u128 = i8x16_min_u_lanes: _mm_min_epu8(a, b);
    i8x16_max_u(a: u128, b: u128) -> u128 = i8x16_max_u_lanes: _mm_max_epu8(a, b);
    i16x8_min_s(a: u128, b: u128) -> u128 = i16x8_min_s_lanes: _mm_min_epi16(a, b);
    i16x8_max_s(a: u128, b: u128) -> u128 = i16x8_max_s_lanes: _mm_max_epi16(a, b);
    i8x16_avgr_u(a: u128, b: u128) -> u128 = i8x16_avgr_u_lanes: _mm_avg_epu8(a, b);
    i16x8_avgr_u(a: u128, b: u128) -> u128 = i16x8_avgr_u_lanes: _mm_avg_epu16(a, b);
    i8x16_eq(a: u128, b: u128) -> u128 = i8x16_eq_lanes: _mm_cmpeq_epi8(a, b);
    i16x8_eq(a: u128, b: u128) -> u128 = i16x8_eq_lanes: _mm_cmpeq_epi16(a, b);
    i32x4_eq(a: u128, b: u128) -> u128 = i32x4_eq_lanes: _mm_cmpeq_epi32(a, b);
    i8x16_ne(a: u128, b: u128) -> u128 = i8x16_ne_lanes: _mm_xor_si128(_mm_cmpeq_epi8(a, b), _mm_set1_epi8(-1));
    i16x8_ne(a: u128, b: u128) -> u128 = i16x8_ne_lanes: _mm_xor_si128(_mm_cmpeq_epi16(a, b), _mm_set1_epi8(-1));
    i32x4_ne(a: u128, b: u128) -> u128 = i32x4_ne_lanes: _mm_xor_si128(_mm_cmpeq_epi32(a, b), _mm_set1_epi8(-1));
    i8x16_gt_s(a: u128, b: u128) -> u128 = i8x16_gt_s_lanes: _mm_cmpgt_epi8(a, b);
    i16x8_gt_s(a: u128, b: u128) -> u128 = i16x8_gt_s_lanes: _mm_cmpgt_epi16(a, b);
    i32x4_gt_s(a: u128, b: u128) -> u128 = i32x4_gt_s_lanes: _mm_cmpgt_epi32(a, b);
    i8x16_lt_s(a: u128, b: u128) -> u128 = i8x16_lt_s_lanes: _mm_cmplt_epi8(a, b);
    i16x8_lt_s(a: u128, b: u128) -> u128 = i16x8_lt_s_lanes: _mm_cmplt_epi16(a, b);
    i32x4_lt_s(a: u128, b: u128) -> u128 = i32x4_lt_s_lanes: _mm_cmplt_epi32(a, b);
    i32x4_dot_i16x8_s(a: u128, b: u128) -> u128 = i32x4_dot_i16x8_s_lanes: _mm_madd_epi16(a, b);
    i8x16_narrow_i16x8_s(a: u128, b: u128) -> u128 = i8x16_narrow_i16x8_s_lanes: _mm_packs_epi16(a, b);
    i8x16_narrow_i16x8_u(a: u128, b: u128) -> u128 = i8x16_narrow_i16x8_u_lanes: _mm_packus_epi16(a, b);
    i16x8_narrow_i32x4_s(a: u128, b: u128) -> u128 = i16x8_narrow_i32x4_s_lanes: _mm_packs_epi32(a, b);
    // The low and high halves of each 32-bit product, interleaved.
    i32x4_extmul_low_i16x8_u(a: u128, b: u128) -> u128 = i32x4_extmul_low_i16x8_u_lanes:
        _mm_unpacklo_epi16(_mm_mullo_epi16(a, b), _mm_mulhi_epu16(a, b));
    i32x4_extmul_high_i16x8_u(a: u128, b: u128) -> u128 = i32x4_extmul_high_i16x8_u_lanes:
        _mm_unpackhi_epi16(_mm_mullo_epi16(a, b), _mm_mulhi_epu16(a, b));
    i32x4_extmul_low_i16x8_s(a: u128, b: u128) -> u128 = i32x4_extmul_low_i16x8_s_lanes:
        _mm_unpacklo_epi16(_mm_mullo_epi16(a, b), _mm_mulhi_epi16(a, b));
    i32x4_extmul_high_i16x8_s(a: u128, b: u128) -> u128 = i32x4_extmul_high_i16x8_s_lanes:
        _mm_unpackhi_epi16(_mm_mullo_epi16(a, b), _mm_mulhi_epi16(a, b));
    // Bytes widened to 16 bits (zero or sign: a byte paired with itself, shifted right by 8).
    i16x8_extmul_low_i8x16_u(a: u128, b: u128) -> u128 = i16x8_extmul_low_i8x16_u_lanes:
        _mm_mullo_epi16(_mm_unpacklo_epi8(a, _mm_setzero_si128()), _mm_unpacklo_epi8(b, _mm_setzero_si128()));
    i16x8_extmul_high_i8x16_u(a: u128, b: u128) -> u128 = i16x8_extmul_high_i8x16_u_lanes:
        _mm_mullo_epi16(_mm_unpackhi_epi8(a, _mm_setzero_si128()), _mm_unpackhi_epi8(b, _mm_setzero_si128()));
    i16x8_extmul_low_i8x16_s(a: u128, b: u128) -> u128 = i16x8_extmul_low_i8x16_s_lanes:
        _mm_mullo_epi16(_mm_srai_epi16(_mm_unpacklo_epi8(a, a), 8), _mm_srai_epi16(_mm_unpacklo_epi8(b, b), 8));
    i16x8_extmul_high_i8x16_s(a: u128, b: u128) -> u128 = i16x8_extmul_high_i8x16_s_lanes:
        _mm_mullo_epi16(_mm_srai_epi16(_mm_unpackhi_epi8(a, a), 8), _mm_srai_epi16(_mm_unpackhi_epi8(b, b), 8));
    i16x8_extend_low_i8x16_u(a: u128) -> u128 = i16x8_extend_low_i8x16_u_lanes: _mm_unpacklo_epi8(a, _mm_setzero_si128());
    i16x8_extend_high_i8x16_u(a: u128) -> u128 = i16x8_extend_high_i8x16_u_lanes: _mm_unpackhi_epi8(a, _mm_setzero_si128());
    i16x8_extend_low_i8x16_s(a: u128) -> u128 = i16x8_extend_low_i8x16_s_lanes: _mm_srai_epi16(_mm_unpacklo_epi8(a, a), 8);
    i16x8_extend_high_i8x16_s(a: u128) -> u128 = i16x8_extend_high_i8x16_s_lanes: _mm_srai_epi16(_mm_unpackhi_epi8(a, a), 8);
    i32x4_extend_low_i16x8_u(a: u128) -> u128 = i32x4_extend_low_i16x8_u_lanes: _mm_unpacklo_epi16(a, _mm_setzero_si128());
    i32x4_extend_high_i16x8_u(a: u128) -> u128 = i32x4_extend_high_i16x8_u_lanes: _mm_unpackhi_epi16(a, _mm_setzero_si128());
    i32x4_extend_low_i16x8_s(a: u128) -> u128 = i32x4_extend_low_i16x8_s_lanes: _mm_srai_epi32(_mm_unpacklo_epi16(a, a), 16);
    i32x4_extend_high_i16x8_s(a: u128) -> u128 = i32x4_extend_high_i16x8_s_lanes: _mm_srai_epi32(_mm_unpackhi_epi16(a, a), 16);
    i64x2_extend_low_i32x4_u(a: u128) -> u128 = i64x2_extend_low_i32x4_u_lanes: _mm_unpacklo_epi32(a, _mm_setzero_si128());
    i64x2_extend_high_i32x4_u(a: u128) -> u128 = i64x2_extend_high_i32x4_u_lanes: _mm_unpackhi_epi32(a, _mm_setzero_si128());
    i64x2_extend_low_i32x4_s(a: u128) -> u128 = i64x2_extend_low_i32x4_s_lanes: _mm_unpacklo_epi32(a, _mm_srai_epi32(a, 31));
    i64x2_extend_high_i32x4_s(a: u128) -> u128 = i64x2_extend_high_i32x4_s_lanes: _mm_unpackhi_epi32(a, _mm_srai_epi32(a, 31));
    i8x16_neg(a: u128) -> u128 = i8x16_neg_lanes: _mm_sub_epi8(_mm_setzero_si128(), a);
    i16x8_neg(a: u128) -> u128 = i16x8_neg_lanes: _mm_sub_epi16(_mm_setzero_si128(), a);
    i32x4_neg(a: u128) -> u128 = i32x4_neg_lanes: _mm_sub_epi32(_mm_setzero_si128(), a);
    i64x2_neg(a: u128) -> u128 = i64x2_neg_lanes: _mm_sub_epi64(_mm_setzero_si128(), a);
    f32x4_add(a: u128, b: u128) -> u128 = f32x4_add_lanes: ps!(_mm_add_ps(a, b));
    f32x4_sub(a: u128, b: u128) -> u128 = f32x4_sub_lanes: ps!(_mm_sub_ps(a, b));
    f32x4_mul(a: u128, b: u128) -> u128 = f32x4_mul_lanes: ps!(_mm_mul_ps(a, b));
    f32x4_div(a: u128, b: u128) -> u128 = f32x4_div_lanes: ps!(_mm_div_ps(a, b));
    f64x2_add(a: u128, b: u128) -> u128 = f64x2_add_lanes: pd!(_mm_add_pd(a, b));
    f64x2_sub(a: u128, b: u128) -> u128 = f64x2_sub_lanes: pd!(_mm_sub_pd(a, b));
    f64x2_mul(a: u128, b: u128) -> u128 = f64x2_mul_lanes: pd!(_mm_mul_pd(a, b));
    f64x2_div(a: u128, b: u128) -> u128 = f64x2_div_lanes: pd!(_mm_div_pd(a, b));
    f32x4_eq(a: u128, b: u128) -> u128 = f32x4_eq_lanes: ps!(_mm_cmpeq_ps(a, b));
    f32x4_ne(a: u128, b: u128) -> u128 = f32x4_ne_lanes: ps!(_mm_cmpneq_ps(a, b));
    f32x4_lt(a: u128, b: u128) -> u128 = f32x4_lt_lanes: ps!(_mm_cmplt_ps(a, b));
    f32x4_gt(a: u128, b: u128) -> u128 = f32x4_gt_lanes: ps!(_mm_cmpgt_ps(a, b));
    f32x4_le(a: u128, b: u128) -> u128 = f32x4_le_lanes: ps!(_mm_cmple_ps(a, b));
    f32x4_ge(a: u128, b: u128) -> u128 = f32x4_ge_lanes: ps!(_mm_cmpge_ps(a, b));
    f64x2_eq(a: u128, b: u128) -> u128 = f64x2_eq_lanes: pd!(_mm_cmpeq_pd(a, b));
    f64x2_ne(a: u128, b: u128) -> u128 = f64x2_ne_lanes: pd!(_mm_cmpneq_pd(a, b));
    f64x2_lt(a: u128, b: u128) -> u128 = f64x2_lt_lanes: pd!(_mm_cmplt_pd(a, b));
    f64x2_gt(a: u128, b: u128) -> u128 = f64x2_gt_lanes: pd!(_mm_cmpgt_pd(a, b));
    f64x2_le(a: u128, b: u128) -> u128 = f64x2_le_lanes: pd!(_mm_cmple_pd(a, b));
    f64x2_ge(a: u128, b: u128) -> u128 = f64x2_ge_lanes: pd!(_mm_cmpge_pd(a, b));
    f32x4_sqrt(a: u128) -> u128 = f32x4_sqrt_lanes: ps!(_mm_sqrt_ps(a));
    f64x2_sqrt(a: u128) -> u128 = f64x2_sqrt_lanes: pd!(_mm_sqrt_pd(a));
    f32x4_convert_i32x4_s(a: u128) -> u128 = f32x4_convert_i32x4_s_lanes: _mm_castps_si128(_mm_cvtepi32_ps(a));
    f32x4_abs(a: u128) -> u128 = f32x4_abs_lanes: _mm_and_si128(a, _mm_set1_epi32(0x7fff_ffff));
    f32x4_neg(a: u128) -> u128 = f32x4_neg_lanes: _mm_xor_si128(a, _mm_set1_epi32(i32::MIN));
    f64x2_abs(a: u128) -> u128 = f64x2_abs_lanes: _mm_and_si128(a, _mm_set1_epi64x(i64::MAX));
    f64x2_neg(a: u128) -> u128 = f64x2_neg_lanes: _mm_xor_si128(a, _mm_set1_epi64x(i64::MIN));
    i8x16_bitmask(a: u128) -> u32 = i8x16_bitmask_lanes: _mm_movemask_epi8(a);
    // Signed saturation keeps each lane's sign in a byte; the upper eight bytes are zero.
    i16x8_bitmask(a: u128) -> u32 = i16x8_bitmask_lanes: _mm_movemask_epi8(_mm_packs_epi16(a, _mm_setzero_si128()));
    i32x4_bitmask(a: u128) -> u32 = i32x4_bitmask_lanes: _mm_movemask_ps(_mm_castsi128_ps(a));
    i64x2_bitmask(a: u128) -> u32 = i64x2_bitmask_lanes: _mm_movemask_pd(_mm_castsi128_pd(a));
    i8x16_all_true(a: u128) -> u32 = i8x16_all_true_lanes:
        (_mm_movemask_epi8(_mm_cmpeq_epi8(a, _mm_setzero_si128())) == 0) as i32;
    i16x8_all_true(a: u128) -> u32 = i16x8_all_true_lanes:
        (_mm_movemask_epi8(_mm_cmpeq_epi16(a, _mm_setzero_si128())) == 0) as i32;
    i32x4_all_true(a: u128) -> u32 = i32x4_all_true_lanes:
        (_mm_movemask_epi8(_mm_cmpeq_epi32(a, _mm_setzero_si128())) == 0) as i32;
    // The count modulo the lane width, as the lane functions take it.
    i16x8_shl(a: u128, s: u32) -> u128 = i16x8_shl_lanes: _mm_sll_epi16(a, _mm_cvtsi32_si128((s % 16) as i32));
    i16x8_shr_s(a: u128, s: u32) -> u128 = i16x8_shr_s_lanes: _mm_sra_epi16(a, _mm_cvtsi32_si128((s % 16) as i32));
    i16x8_shr_u(a: u128, s: u32) -> u128 = i16x8_shr_u_lanes: _mm_srl_epi16(a, _mm_cvtsi32_si128((s % 16) as i32));
    i32x4_shl(a: u128, s: u32) -> u128 = i32x4_shl_lanes: _mm_sll_epi32(a, _mm_cvtsi32_si128((s % 32) as i32));
    i32x4_shr_s(a: u128, s: u32) -> u128 = i32x4_shr_s_lanes: _mm_sra_epi32(a, _mm_cvtsi32_si128((s % 32) as i32));
    i32x4_shr_u(a: u128, s: u32) -> u128 = i32x4_shr_u_lanes: _mm_srl_epi32(a, _mm_cvtsi32_si128((s % 32) as i32));
    i64x2_shl(a: u128, s: u32) -> u128 = i64x2_shl_lanes: _mm_sll_epi64(a, _mm_cvtsi32_si128((s % 64) as i32));
    i64x2_shr_u(a: u128, s: u32) -> u128 = i64x2_shr_u_lanes: _mm_srl_epi64(a, _mm_cvtsi32_si128((s % 64) as i32));
    i8x16_splat(x: u32) -> u128 = i8x16_splat_lanes: _mm_set1_epi8(x as i8);
    i16x8_splat(x: u32) -> u128 = i16x8_splat_lanes: _mm_set1_epi16(x as i16);
    i32x4_splat(x: u32) -> u128 = i32x4_splat_lanes: _mm_set1_epi32(x as i32);
}

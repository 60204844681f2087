//! SIMD semantics: every fixed-width and relaxed SIMD operator, once, as a function on lane
//! arrays named after its text name (`i32x4.add` is `i32x4_add`), re-exported by `ops`.
//!
//! A `v128` is a `u128` (lane 0 in the low bits, as Wasm's little-endian layout puts it in
//! memory); the lane views below are little-endian byte conversions, which LLVM compiles to
//! nothing, and the lane loops to the host's vector instructions where it has them (see
//! RATIONALE.md, "SIMD"). Float lanes reuse the scalar operators' functions, so NaN and signed
//! zero behave as in the scalar operators. Relaxed operators give one answer on every host:
//! the spec's deterministic choice (RATIONALE.md).

use super::ops::{
    f32_ceil, f32_floor, f32_max, f32_min, f32_nearest, f32_trunc, f64_ceil, f64_floor, f64_max, f64_min, f64_nearest,
    f64_trunc,
};

/// Lane views of a `v128` and back.
macro_rules! lanes {
    ($($get:ident, $put:ident: $t:ty, $n:literal, $w:literal;)*) => {$(
        #[inline(always)]
        fn $get(v: u128) -> [$t; $n] {
            let b = v.to_le_bytes();
            std::array::from_fn(|i| {
                let mut x = [0u8; $w];
                x.copy_from_slice(&b[i * $w..i * $w + $w]);
                <$t>::from_le_bytes(x)
            })
        }
        #[inline(always)]
        fn $put(a: [$t; $n]) -> u128 {
            let mut b = [0u8; 16];
            for i in 0..$n {
                b[i * $w..i * $w + $w].copy_from_slice(&a[i].to_le_bytes());
            }
            u128::from_le_bytes(b)
        }
    )*};
}

lanes! {
    u8s, from_u8s: u8, 16, 1;
    i8s, from_i8s: i8, 16, 1;
    u16s, from_u16s: u16, 8, 2;
    i16s, from_i16s: i16, 8, 2;
    u32s, from_u32s: u32, 4, 4;
    i32s, from_i32s: i32, 4, 4;
    u64s, from_u64s: u64, 2, 8;
    i64s, from_i64s: i64, 2, 8;
    f32s, from_f32s: f32, 4, 4;
    f64s, from_f64s: f64, 2, 8;
}

/// Lane-wise unary operators: `name: view, back, |x| lane result;`.
macro_rules! map1 {
    ($($name:ident: $get:ident, $put:ident, |$x:ident| $e:expr;)*) => {$(
        #[inline(always)]
        pub(crate) fn $name(a: u128) -> u128 {
            $put($get(a).map(|$x| $e))
        }
    )*};
}

/// Lane-wise binary operators.
macro_rules! map2 {
    ($($name:ident: $get:ident, $put:ident, |$x:ident, $y:ident| $e:expr;)*) => {$(
        #[inline(always)]
        pub(crate) fn $name(a: u128, b: u128) -> u128 {
            let (a, b) = ($get(a), $get(b));
            $put(std::array::from_fn(|i| {
                let ($x, $y) = (a[i], b[i]);
                $e
            }))
        }
    )*};
}

/// Lane-wise comparisons: all ones where the comparison holds (`$mask` as the lane type).
macro_rules! cmp {
    ($($name:ident: $get:ident, $put:ident, $t:ty, |$x:ident, $y:ident| $e:expr;)*) => {$(
        #[inline(always)]
        pub(crate) fn $name(a: u128, b: u128) -> u128 {
            let (a, b) = ($get(a), $get(b));
            $put(std::array::from_fn(|i| {
                let ($x, $y) = (a[i], b[i]);
                if $e { <$t>::MAX } else { 0 }
            }))
        }
    )*};
}

/// Shifts by a count taken modulo the lane width.
macro_rules! shifts {
    ($($name:ident: $get:ident, $put:ident, $bits:literal, |$x:ident, $s:ident| $e:expr;)*) => {$(
        #[inline(always)]
        pub(crate) fn $name(a: u128, s: u32) -> u128 {
            let $s = s % $bits;
            $put($get(a).map(|$x| $e))
        }
    )*};
}

/// Lane tests and masks: `all_true`, `bitmask`.
macro_rules! tests {
    ($($all:ident, $mask:ident: $get:ident;)*) => {$(
        #[inline(always)]
        pub(crate) fn $all(a: u128) -> u32 {
            $get(a).iter().all(|&x| x != 0) as u32
        }
        #[inline(always)]
        pub(crate) fn $mask(a: u128) -> u32 {
            $get(a).iter().enumerate().fold(0, |m, (i, &x)| m | (((x < 0) as u32) << i))
        }
    )*};
}

/// Splats, lane extraction and replacement: `splat, extract, replace: view, back, scalar`.
macro_rules! lane_access {
    ($($splat:ident, $extract:ident, $replace:ident: $get:ident, $put:ident, $t:ty, $s:ty;)*) => {$(
        #[inline(always)]
        pub(crate) fn $splat(x: $s) -> u128 {
            $put([x as $t; 16 / std::mem::size_of::<$t>()])
        }
        #[inline(always)]
        pub(crate) fn $extract(a: u128, lane: u32) -> $s {
            $get(a)[lane as usize % (16 / std::mem::size_of::<$t>())] as $s
        }
        #[inline(always)]
        pub(crate) fn $replace(a: u128, x: $s, lane: u32) -> u128 {
            let mut v = $get(a);
            v[lane as usize % (16 / std::mem::size_of::<$t>())] = x as $t;
            $put(v)
        }
    )*};
}

lane_access! {
    i8x16_splat, i8x16_extract_lane_u, i8x16_replace_lane: u8s, from_u8s, u8, u32;
    i16x8_splat, i16x8_extract_lane_u, i16x8_replace_lane: u16s, from_u16s, u16, u32;
    i32x4_splat, i32x4_extract_lane, i32x4_replace_lane: u32s, from_u32s, u32, u32;
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
    i8x16_neg: i8s, from_i8s, |x| x.wrapping_neg();
    i8x16_popcnt: u8s, from_u8s, |x| x.count_ones() as u8;
    i16x8_abs: i16s, from_i16s, |x| x.wrapping_abs();
    i16x8_neg: i16s, from_i16s, |x| x.wrapping_neg();
    i32x4_abs: i32s, from_i32s, |x| x.wrapping_abs();
    i32x4_neg: i32s, from_i32s, |x| x.wrapping_neg();
    i64x2_abs: i64s, from_i64s, |x| x.wrapping_abs();
    i64x2_neg: i64s, from_i64s, |x| x.wrapping_neg();
}

map2! {
    i8x16_add: u8s, from_u8s, |x, y| x.wrapping_add(y);
    i8x16_add_sat_s: i8s, from_i8s, |x, y| x.saturating_add(y);
    i8x16_add_sat_u: u8s, from_u8s, |x, y| x.saturating_add(y);
    i8x16_sub: u8s, from_u8s, |x, y| x.wrapping_sub(y);
    i8x16_sub_sat_s: i8s, from_i8s, |x, y| x.saturating_sub(y);
    i8x16_sub_sat_u: u8s, from_u8s, |x, y| x.saturating_sub(y);
    i8x16_min_s: i8s, from_i8s, |x, y| x.min(y);
    i8x16_min_u: u8s, from_u8s, |x, y| x.min(y);
    i8x16_max_s: i8s, from_i8s, |x, y| x.max(y);
    i8x16_max_u: u8s, from_u8s, |x, y| x.max(y);
    i8x16_avgr_u: u8s, from_u8s, |x, y| ((x as u16 + y as u16 + 1) >> 1) as u8;
    i16x8_add: u16s, from_u16s, |x, y| x.wrapping_add(y);
    i16x8_add_sat_s: i16s, from_i16s, |x, y| x.saturating_add(y);
    i16x8_add_sat_u: u16s, from_u16s, |x, y| x.saturating_add(y);
    i16x8_sub: u16s, from_u16s, |x, y| x.wrapping_sub(y);
    i16x8_sub_sat_s: i16s, from_i16s, |x, y| x.saturating_sub(y);
    i16x8_sub_sat_u: u16s, from_u16s, |x, y| x.saturating_sub(y);
    i16x8_mul: u16s, from_u16s, |x, y| x.wrapping_mul(y);
    i16x8_min_s: i16s, from_i16s, |x, y| x.min(y);
    i16x8_min_u: u16s, from_u16s, |x, y| x.min(y);
    i16x8_max_s: i16s, from_i16s, |x, y| x.max(y);
    i16x8_max_u: u16s, from_u16s, |x, y| x.max(y);
    i16x8_avgr_u: u16s, from_u16s, |x, y| ((x as u32 + y as u32 + 1) >> 1) as u16;
    i16x8_q15mulr_sat_s: i16s, from_i16s, |x, y| q15mulr(x, y);
    i32x4_add: u32s, from_u32s, |x, y| x.wrapping_add(y);
    i32x4_sub: u32s, from_u32s, |x, y| x.wrapping_sub(y);
    i32x4_mul: u32s, from_u32s, |x, y| x.wrapping_mul(y);
    i32x4_min_s: i32s, from_i32s, |x, y| x.min(y);
    i32x4_min_u: u32s, from_u32s, |x, y| x.min(y);
    i32x4_max_s: i32s, from_i32s, |x, y| x.max(y);
    i32x4_max_u: u32s, from_u32s, |x, y| x.max(y);
    i64x2_add: u64s, from_u64s, |x, y| x.wrapping_add(y);
    i64x2_sub: u64s, from_u64s, |x, y| x.wrapping_sub(y);
    i64x2_mul: u64s, from_u64s, |x, y| x.wrapping_mul(y);
}

/// Rounding, saturating Q15 multiplication.
#[inline(always)]
fn q15mulr(x: i16, y: i16) -> i16 {
    ((x as i32 * y as i32 + 0x4000) >> 15).clamp(i16::MIN as i32, i16::MAX as i32) as i16
}

cmp! {
    i8x16_eq: u8s, from_u8s, u8, |x, y| x == y;
    i8x16_ne: u8s, from_u8s, u8, |x, y| x != y;
    i16x8_eq: u16s, from_u16s, u16, |x, y| x == y;
    i16x8_ne: u16s, from_u16s, u16, |x, y| x != y;
    i32x4_eq: u32s, from_u32s, u32, |x, y| x == y;
    i32x4_ne: u32s, from_u32s, u32, |x, y| x != y;
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
    i8x16_lt_s i8x16_lt_u i8x16_gt_s i8x16_gt_u i8x16_le_s i8x16_le_u i8x16_ge_s i8x16_ge_u: i8s, u8s, from_u8s, u8;
    i16x8_lt_s i16x8_lt_u i16x8_gt_s i16x8_gt_u i16x8_le_s i16x8_le_u i16x8_ge_s i16x8_ge_u: i16s, u16s, from_u16s, u16;
    i32x4_lt_s i32x4_lt_u i32x4_gt_s i32x4_gt_u i32x4_le_s i32x4_le_u i32x4_ge_s i32x4_ge_u: i32s, u32s, from_u32s, u32;
}

cmp! {
    i64x2_lt_s: i64s, from_u64s, u64, |x, y| x < y;
    i64x2_gt_s: i64s, from_u64s, u64, |x, y| x > y;
    i64x2_le_s: i64s, from_u64s, u64, |x, y| x <= y;
    i64x2_ge_s: i64s, from_u64s, u64, |x, y| x >= y;
    f32x4_eq: f32s, from_u32s, u32, |x, y| x == y;
    f32x4_ne: f32s, from_u32s, u32, |x, y| x != y;
    f32x4_lt: f32s, from_u32s, u32, |x, y| x < y;
    f32x4_gt: f32s, from_u32s, u32, |x, y| x > y;
    f32x4_le: f32s, from_u32s, u32, |x, y| x <= y;
    f32x4_ge: f32s, from_u32s, u32, |x, y| x >= y;
    f64x2_eq: f64s, from_u64s, u64, |x, y| x == y;
    f64x2_ne: f64s, from_u64s, u64, |x, y| x != y;
    f64x2_lt: f64s, from_u64s, u64, |x, y| x < y;
    f64x2_gt: f64s, from_u64s, u64, |x, y| x > y;
    f64x2_le: f64s, from_u64s, u64, |x, y| x <= y;
    f64x2_ge: f64s, from_u64s, u64, |x, y| x >= y;
}

shifts! {
    i8x16_shl: u8s, from_u8s, 8, |x, s| x << s;
    i8x16_shr_s: i8s, from_i8s, 8, |x, s| x >> s;
    i8x16_shr_u: u8s, from_u8s, 8, |x, s| x >> s;
    i16x8_shl: u16s, from_u16s, 16, |x, s| x << s;
    i16x8_shr_s: i16s, from_i16s, 16, |x, s| x >> s;
    i16x8_shr_u: u16s, from_u16s, 16, |x, s| x >> s;
    i32x4_shl: u32s, from_u32s, 32, |x, s| x << s;
    i32x4_shr_s: i32s, from_i32s, 32, |x, s| x >> s;
    i32x4_shr_u: u32s, from_u32s, 32, |x, s| x >> s;
    i64x2_shl: u64s, from_u64s, 64, |x, s| x << s;
    i64x2_shr_s: i64s, from_i64s, 64, |x, s| x >> s;
    i64x2_shr_u: u64s, from_u64s, 64, |x, s| x >> s;
}

tests! {
    i8x16_all_true, i8x16_bitmask: i8s;
    i16x8_all_true, i16x8_bitmask: i16s;
    i32x4_all_true, i32x4_bitmask: i32s;
    i64x2_all_true, i64x2_bitmask: i64s;
}

/// Narrowing with saturation: `a`'s lanes, then `b`'s.
macro_rules! narrow {
    ($($name:ident: $get:ident, $put:ident, $t:ty, $n:literal;)*) => {$(
        #[inline(always)]
        pub(crate) fn $name(a: u128, b: u128) -> u128 {
            let (a, b) = ($get(a), $get(b));
            $put(std::array::from_fn(|i| {
                let x = if i < $n { a[i] } else { b[i - $n] };
                x.clamp(<$t>::MIN as _, <$t>::MAX as _) as $t
            }))
        }
    )*};
}

narrow! {
    i8x16_narrow_i16x8_s: i16s, from_i8s, i8, 8;
    i8x16_narrow_i16x8_u: i16s, from_u8s, u8, 8;
    i16x8_narrow_i32x4_s: i32s, from_i16s, i16, 4;
    i16x8_narrow_i32x4_u: i32s, from_u16s, u16, 4;
}

/// Widening of the low or high half: `name: view, back, wide type, first lane`.
macro_rules! extend {
    ($($name:ident: $get:ident, $put:ident, $w:ty, $from:literal;)*) => {$(
        #[inline(always)]
        pub(crate) fn $name(a: u128) -> u128 {
            let a = $get(a);
            $put(std::array::from_fn(|i| a[$from + i] as $w))
        }
    )*};
}

extend! {
    i16x8_extend_low_i8x16_s: i8s, from_i16s, i16, 0;
    i16x8_extend_high_i8x16_s: i8s, from_i16s, i16, 8;
    i16x8_extend_low_i8x16_u: u8s, from_u16s, u16, 0;
    i16x8_extend_high_i8x16_u: u8s, from_u16s, u16, 8;
    i32x4_extend_low_i16x8_s: i16s, from_i32s, i32, 0;
    i32x4_extend_high_i16x8_s: i16s, from_i32s, i32, 4;
    i32x4_extend_low_i16x8_u: u16s, from_u32s, u32, 0;
    i32x4_extend_high_i16x8_u: u16s, from_u32s, u32, 4;
    i64x2_extend_low_i32x4_s: i32s, from_i64s, i64, 0;
    i64x2_extend_high_i32x4_s: i32s, from_i64s, i64, 2;
    i64x2_extend_low_i32x4_u: u32s, from_u64s, u64, 0;
    i64x2_extend_high_i32x4_u: u32s, from_u64s, u64, 2;
}

/// Widening multiplication of the low or high halves.
macro_rules! extmul {
    ($($name:ident: $get:ident, $put:ident, $w:ty, $from:literal;)*) => {$(
        #[inline(always)]
        pub(crate) fn $name(a: u128, b: u128) -> u128 {
            let (a, b) = ($get(a), $get(b));
            $put(std::array::from_fn(|i| (a[$from + i] as $w).wrapping_mul(b[$from + i] as $w)))
        }
    )*};
}

extmul! {
    i16x8_extmul_low_i8x16_s: i8s, from_i16s, i16, 0;
    i16x8_extmul_high_i8x16_s: i8s, from_i16s, i16, 8;
    i16x8_extmul_low_i8x16_u: u8s, from_u16s, u16, 0;
    i16x8_extmul_high_i8x16_u: u8s, from_u16s, u16, 8;
    i32x4_extmul_low_i16x8_s: i16s, from_i32s, i32, 0;
    i32x4_extmul_high_i16x8_s: i16s, from_i32s, i32, 4;
    i32x4_extmul_low_i16x8_u: u16s, from_u32s, u32, 0;
    i32x4_extmul_high_i16x8_u: u16s, from_u32s, u32, 4;
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
            $put(std::array::from_fn(|i| a[2 * i] as $w + a[2 * i + 1] as $w))
        }
    )*};
}

extadd! {
    i16x8_extadd_pairwise_i8x16_s: i8s, from_i16s, i16;
    i16x8_extadd_pairwise_i8x16_u: u8s, from_u16s, u16;
    i32x4_extadd_pairwise_i16x8_s: i16s, from_i32s, i32;
    i32x4_extadd_pairwise_i16x8_u: u16s, from_u32s, u32;
}

#[inline(always)]
pub(crate) fn i32x4_dot_i16x8_s(a: u128, b: u128) -> u128 {
    let (a, b) = (i16s(a), i16s(b));
    from_i32s(std::array::from_fn(|i| {
        (a[2 * i] as i32 * b[2 * i] as i32).wrapping_add(a[2 * i + 1] as i32 * b[2 * i + 1] as i32)
    }))
}

// --- Float lanes ---------------------------------------------------------------------------

map1! {
    f32x4_abs: u32s, from_u32s, |x| x & 0x7fff_ffff;
    f32x4_neg: u32s, from_u32s, |x| x ^ 0x8000_0000;
    f32x4_sqrt: f32s, from_f32s, |x| x.sqrt();
    f32x4_ceil: f32s, from_f32s, |x| f32_ceil(x);
    f32x4_floor: f32s, from_f32s, |x| f32_floor(x);
    f32x4_trunc: f32s, from_f32s, |x| f32_trunc(x);
    f32x4_nearest: f32s, from_f32s, |x| f32_nearest(x);
    f64x2_abs: u64s, from_u64s, |x| x & 0x7fff_ffff_ffff_ffff;
    f64x2_neg: u64s, from_u64s, |x| x ^ 0x8000_0000_0000_0000;
    f64x2_sqrt: f64s, from_f64s, |x| x.sqrt();
    f64x2_ceil: f64s, from_f64s, |x| f64_ceil(x);
    f64x2_floor: f64s, from_f64s, |x| f64_floor(x);
    f64x2_trunc: f64s, from_f64s, |x| f64_trunc(x);
    f64x2_nearest: f64s, from_f64s, |x| f64_nearest(x);
    i32x4_trunc_sat_f32x4_s: f32s, from_i32s, |x| x as i32;
    i32x4_trunc_sat_f32x4_u: f32s, from_u32s, |x| x as u32;
    f32x4_convert_i32x4_s: i32s, from_f32s, |x| x as f32;
    f32x4_convert_i32x4_u: u32s, from_f32s, |x| x as f32;
}

map2! {
    f32x4_add: f32s, from_f32s, |x, y| x + y;
    f32x4_sub: f32s, from_f32s, |x, y| x - y;
    f32x4_mul: f32s, from_f32s, |x, y| x * y;
    f32x4_div: f32s, from_f32s, |x, y| x / y;
    f32x4_min: f32s, from_f32s, |x, y| f32_min(x, y);
    f32x4_max: f32s, from_f32s, |x, y| f32_max(x, y);
    f32x4_pmin: f32s, from_f32s, |x, y| if y < x { y } else { x };
    f32x4_pmax: f32s, from_f32s, |x, y| if x < y { y } else { x };
    f64x2_add: f64s, from_f64s, |x, y| x + y;
    f64x2_sub: f64s, from_f64s, |x, y| x - y;
    f64x2_mul: f64s, from_f64s, |x, y| x * y;
    f64x2_div: f64s, from_f64s, |x, y| x / y;
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
    from_u8s(s.map(|i| if i < 16 { a[i as usize] } else { 0 }))
}

/// `i8x16.shuffle` with its lane indices as a `v128` (each below 32, as validation checked).
#[inline(always)]
pub(crate) fn i8x16_shuffle(a: u128, b: u128, lanes: u128) -> u128 {
    let (a, b, l) = (u8s(a), u8s(b), u8s(lanes));
    from_u8s(l.map(|i| if i < 16 { a[i as usize] } else { b[(i & 15) as usize] }))
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
            $put(std::array::from_fn(|i| {
                let mut x = [0u8; $w];
                x.copy_from_slice(&b[i * $w..i * $w + $w]);
                <$t>::from_le_bytes(x) as $wide
            }))
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
    ($($load:ident, $store:ident: $w:literal, $n:literal;)*) => {$(
        #[inline(always)]
        pub(crate) fn $load(v: u128, b: [u8; $w], lane: u32) -> u128 {
            let mut bytes = v.to_le_bytes();
            let at = (lane as usize % $n) * $w;
            bytes[at..at + $w].copy_from_slice(&b);
            u128::from_le_bytes(bytes)
        }
        #[inline(always)]
        pub(crate) fn $store(v: u128, lane: u32) -> [u8; $w] {
            let bytes = v.to_le_bytes();
            let at = (lane as usize % $n) * $w;
            let mut b = [0u8; $w];
            b.copy_from_slice(&bytes[at..at + $w]);
            b
        }
    )*};
}

lane_memory! {
    v128_load8_lane, v128_store8_lane: 1, 16;
    v128_load16_lane, v128_store16_lane: 2, 8;
    v128_load32_lane, v128_store32_lane: 4, 4;
    v128_load64_lane, v128_store64_lane: 8, 2;
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
            $put(std::array::from_fn(|i| a[i].mul_add(b[i], c[i])))
        }
        #[inline(always)]
        pub(crate) fn $nmadd(a: u128, b: u128, c: u128) -> u128 {
            let (a, b, c) = ($get(a), $get(b), $get(c));
            $put(std::array::from_fn(|i| (-a[i]).mul_add(b[i], c[i])))
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
    from_i16s(std::array::from_fn(|i| {
        (a[2 * i] as i16 * b[2 * i] as i16).wrapping_add(a[2 * i + 1] as i16 * b[2 * i + 1] as i16)
    }))
}
/// The specification's definition: the 16-bit dot products above (each pair's sum wraps to
/// 16 bits), their pairs added into 32 bits, plus `c`. Four products summed straight into 32
/// bits give 65,536 for bytes all -128, which is none of the answers the specification allows.
#[inline(always)]
pub(crate) fn i32x4_relaxed_dot_i8x16_i7x16_add_s(a: u128, b: u128, c: u128) -> u128 {
    let (dot, c) = (i16s(i16x8_relaxed_dot_i8x16_i7x16_s(a, b)), i32s(c));
    from_i32s(std::array::from_fn(|i| (dot[2 * i] as i32 + dot[2 * i + 1] as i32).wrapping_add(c[i])))
}

//! Numeric semantics of WebAssembly, as small functions the dispatch loop inlines.
//!
//! Every numeric and memory operator's meaning is written here once, as a function named after
//! its text name (`i32.lt_s` is `i32_lt_s`). Every generated form of the operator calls it
//! (`isa/generated.rs`), and so does the translator when it folds constants.

use crate::trap::TrapCode;

pub(crate) use super::simd::*;

/// Conversion between a value and its 64-bit slot. 32-bit values are written zero-extended, but
/// every reader of a 32-bit value truncates the slot, so a slot holding an i64 can be read as
/// its low 32 bits: that is how `i32.wrap_i64` costs nothing (the translator emits no code for
/// it). Code that reads a 32-bit value must go through `from_slot` or an explicit `as u32`.
pub(crate) trait Slot: Copy {
    fn from_slot(v: u64) -> Self;
    fn to_slot(self) -> u64;
}

impl Slot for i32 {
    #[inline(always)]
    fn from_slot(v: u64) -> Self {
        v as u32 as i32
    }
    #[inline(always)]
    fn to_slot(self) -> u64 {
        self as u32 as u64
    }
}

impl Slot for u32 {
    #[inline(always)]
    fn from_slot(v: u64) -> Self {
        v as u32
    }
    #[inline(always)]
    fn to_slot(self) -> u64 {
        self as u64
    }
}

impl Slot for i64 {
    #[inline(always)]
    fn from_slot(v: u64) -> Self {
        v as i64
    }
    #[inline(always)]
    fn to_slot(self) -> u64 {
        self as u64
    }
}

impl Slot for u64 {
    #[inline(always)]
    fn from_slot(v: u64) -> Self {
        v
    }
    #[inline(always)]
    fn to_slot(self) -> u64 {
        self
    }
}

impl Slot for bool {
    #[inline(always)]
    fn from_slot(v: u64) -> Self {
        v as u32 != 0
    }
    #[inline(always)]
    fn to_slot(self) -> u64 {
        self as u64
    }
}

impl Slot for f32 {
    #[inline(always)]
    fn from_slot(v: u64) -> Self {
        f32::from_bits(v as u32)
    }
    #[inline(always)]
    fn to_slot(self) -> u64 {
        self.to_bits() as u64
    }
}

impl Slot for f64 {
    #[inline(always)]
    fn from_slot(v: u64) -> Self {
        f64::from_bits(v)
    }
    #[inline(always)]
    fn to_slot(self) -> u64 {
        self.to_bits()
    }
}

/// Integer operators of one width: `$u` unsigned, `$s` signed.
macro_rules! int_ops {
    ($u:ty, $s:ty, $bits:expr;
     $add:ident $sub:ident $mul:ident $and:ident $or:ident $xor:ident $shl:ident $shr_s:ident $shr_u:ident $rotl:ident $rotr:ident
     $eqz:ident $eq:ident $ne:ident $lt_s:ident $lt_u:ident $gt_s:ident $gt_u:ident $le_s:ident $le_u:ident $ge_s:ident $ge_u:ident
     $clz:ident $ctz:ident $popcnt:ident) => {
        #[inline(always)]
        pub(crate) fn $add(a: $u, b: $u) -> $u {
            a.wrapping_add(b)
        }
        #[inline(always)]
        pub(crate) fn $sub(a: $u, b: $u) -> $u {
            a.wrapping_sub(b)
        }
        #[inline(always)]
        pub(crate) fn $mul(a: $u, b: $u) -> $u {
            a.wrapping_mul(b)
        }
        #[inline(always)]
        pub(crate) fn $and(a: $u, b: $u) -> $u {
            a & b
        }
        #[inline(always)]
        pub(crate) fn $or(a: $u, b: $u) -> $u {
            a | b
        }
        #[inline(always)]
        pub(crate) fn $xor(a: $u, b: $u) -> $u {
            a ^ b
        }
        /// Shift counts are taken modulo the width (`wrapping_shl` masks them).
        #[inline(always)]
        pub(crate) fn $shl(a: $u, b: $u) -> $u {
            a.wrapping_shl(b as u32)
        }
        #[inline(always)]
        pub(crate) fn $shr_s(a: $s, b: $s) -> $s {
            a.wrapping_shr(b as u32)
        }
        #[inline(always)]
        pub(crate) fn $shr_u(a: $u, b: $u) -> $u {
            a.wrapping_shr(b as u32)
        }
        #[inline(always)]
        pub(crate) fn $rotl(a: $u, b: $u) -> $u {
            a.rotate_left((b % $bits) as u32)
        }
        #[inline(always)]
        pub(crate) fn $rotr(a: $u, b: $u) -> $u {
            a.rotate_right((b % $bits) as u32)
        }
        #[inline(always)]
        pub(crate) fn $eqz(a: $u) -> bool {
            a == 0
        }
        #[inline(always)]
        pub(crate) fn $eq(a: $u, b: $u) -> bool {
            a == b
        }
        #[inline(always)]
        pub(crate) fn $ne(a: $u, b: $u) -> bool {
            a != b
        }
        #[inline(always)]
        pub(crate) fn $lt_s(a: $s, b: $s) -> bool {
            a < b
        }
        #[inline(always)]
        pub(crate) fn $lt_u(a: $u, b: $u) -> bool {
            a < b
        }
        #[inline(always)]
        pub(crate) fn $gt_s(a: $s, b: $s) -> bool {
            a > b
        }
        #[inline(always)]
        pub(crate) fn $gt_u(a: $u, b: $u) -> bool {
            a > b
        }
        #[inline(always)]
        pub(crate) fn $le_s(a: $s, b: $s) -> bool {
            a <= b
        }
        #[inline(always)]
        pub(crate) fn $le_u(a: $u, b: $u) -> bool {
            a <= b
        }
        #[inline(always)]
        pub(crate) fn $ge_s(a: $s, b: $s) -> bool {
            a >= b
        }
        #[inline(always)]
        pub(crate) fn $ge_u(a: $u, b: $u) -> bool {
            a >= b
        }
        #[inline(always)]
        pub(crate) fn $clz(a: $u) -> $u {
            a.leading_zeros() as $u
        }
        #[inline(always)]
        pub(crate) fn $ctz(a: $u) -> $u {
            a.trailing_zeros() as $u
        }
        #[inline(always)]
        pub(crate) fn $popcnt(a: $u) -> $u {
            a.count_ones() as $u
        }
    };
}

int_ops!(u32, i32, 32; i32_add i32_sub i32_mul i32_and i32_or i32_xor i32_shl i32_shr_s i32_shr_u i32_rotl i32_rotr
    i32_eqz i32_eq i32_ne i32_lt_s i32_lt_u i32_gt_s i32_gt_u i32_le_s i32_le_u i32_ge_s i32_ge_u i32_clz i32_ctz i32_popcnt);
int_ops!(u64, i64, 64; i64_add i64_sub i64_mul i64_and i64_or i64_xor i64_shl i64_shr_s i64_shr_u i64_rotl i64_rotr
    i64_eqz i64_eq i64_ne i64_lt_s i64_lt_u i64_gt_s i64_gt_u i64_le_s i64_le_u i64_ge_s i64_ge_u i64_clz i64_ctz i64_popcnt);

/// Float operators of one width (`$bits` the unsigned type of the same width, for the sign).
macro_rules! float_ops {
    ($f:ty, $bits:ty, $sign:expr;
     $add:ident $sub:ident $mul:ident $div:ident $copysign:ident $abs:ident $neg:ident $sqrt:ident
     $eq:ident $ne:ident $lt:ident $gt:ident $le:ident $ge:ident) => {
        #[inline(always)]
        pub(crate) fn $add(a: $f, b: $f) -> $f {
            a + b
        }
        #[inline(always)]
        pub(crate) fn $sub(a: $f, b: $f) -> $f {
            a - b
        }
        #[inline(always)]
        pub(crate) fn $mul(a: $f, b: $f) -> $f {
            a * b
        }
        #[inline(always)]
        pub(crate) fn $div(a: $f, b: $f) -> $f {
            a / b
        }
        /// Bit operations, so NaN payloads pass unchanged.
        #[inline(always)]
        pub(crate) fn $copysign(a: $bits, b: $bits) -> $bits {
            (a & !$sign) | (b & $sign)
        }
        #[inline(always)]
        pub(crate) fn $abs(a: $bits) -> $bits {
            a & !$sign
        }
        #[inline(always)]
        pub(crate) fn $neg(a: $bits) -> $bits {
            a ^ $sign
        }
        #[inline(always)]
        pub(crate) fn $sqrt(a: $f) -> $f {
            a.sqrt()
        }
        #[inline(always)]
        pub(crate) fn $eq(a: $f, b: $f) -> bool {
            a == b
        }
        #[inline(always)]
        pub(crate) fn $ne(a: $f, b: $f) -> bool {
            a != b
        }
        #[inline(always)]
        pub(crate) fn $lt(a: $f, b: $f) -> bool {
            a < b
        }
        #[inline(always)]
        pub(crate) fn $gt(a: $f, b: $f) -> bool {
            a > b
        }
        #[inline(always)]
        pub(crate) fn $le(a: $f, b: $f) -> bool {
            a <= b
        }
        #[inline(always)]
        pub(crate) fn $ge(a: $f, b: $f) -> bool {
            a >= b
        }
    };
}

float_ops!(f32, u32, 0x8000_0000u32; f32_add f32_sub f32_mul f32_div f32_copysign f32_abs f32_neg f32_sqrt
    f32_eq f32_ne f32_lt f32_gt f32_le f32_ge);
float_ops!(f64, u64, 0x8000_0000_0000_0000u64; f64_add f64_sub f64_mul f64_div f64_copysign f64_abs f64_neg f64_sqrt
    f64_eq f64_ne f64_lt f64_gt f64_le f64_ge);

/// Conversions that cannot trap: `name(input) -> output` as Rust's `as` does them (float to int
/// `as` saturates and maps NaN to 0: exactly `trunc_sat`).
macro_rules! convert {
    ($($name:ident: $from:ty => $to:ty;)*) => {$(
        #[inline(always)]
        pub(crate) fn $name(a: $from) -> $to { a as $to }
    )*};
}

convert! {
    i64_extend_i32_s: i32 => i64;
    i64_extend_i32_u: u32 => u64;
    f32_convert_i32_s: i32 => f32;
    f32_convert_i32_u: u32 => f32;
    f32_convert_i64_s: i64 => f32;
    f32_convert_i64_u: u64 => f32;
    f32_demote_f64: f64 => f32;
    f64_convert_i32_s: i32 => f64;
    f64_convert_i32_u: u32 => f64;
    f64_convert_i64_s: i64 => f64;
    f64_convert_i64_u: u64 => f64;
    f64_promote_f32: f32 => f64;
    i32_trunc_sat_f32_s: f32 => i32;
    i32_trunc_sat_f32_u: f32 => u32;
    i32_trunc_sat_f64_s: f64 => i32;
    i32_trunc_sat_f64_u: f64 => u32;
    i64_trunc_sat_f32_s: f32 => i64;
    i64_trunc_sat_f32_u: f32 => u64;
    i64_trunc_sat_f64_s: f64 => i64;
    i64_trunc_sat_f64_u: f64 => u64;
}

/// Sign extension from the low bits.
macro_rules! extend {
    ($($name:ident: $t:ty, $narrow:ty, $wide:ty;)*) => {$(
        #[inline(always)]
        pub(crate) fn $name(a: $t) -> $t { a as $narrow as $wide as $t }
    )*};
}

extend! {
    i32_extend8_s: u32, i8, i32;
    i32_extend16_s: u32, i16, i32;
    i64_extend8_s: u64, i8, i64;
    i64_extend16_s: u64, i16, i64;
    i64_extend32_s: u64, i32, i64;
}

/// `select`: `a` when `c` is non-zero, else `b`, chosen without a branch. Which value a Wasm
/// `select` keeps is data (compilers emit it for exactly the conditions they expect to be
/// unpredictable), so reading both and masking beats a branch that mispredicts.
#[inline(always)]
pub(crate) fn select(c: u32, a: u64, b: u64) -> u64 {
    let keep_a = ((c != 0) as u64).wrapping_neg();
    (a & keep_a) | (b & !keep_a)
}

/// Loads: the little-endian bytes read to the value (`load_from!` turns it into slot bits).
macro_rules! load {
    ($($name:ident: $n:literal => $t:ty, |$b:ident| $e:expr;)*) => {$(
        #[inline(always)]
        pub(crate) fn $name($b: [u8; $n]) -> $t { $e }
    )*};
}

load! {
    i32_load: 4 => u32, |b| u32::from_le_bytes(b);
    i64_load: 8 => u64, |b| u64::from_le_bytes(b);
    f32_load: 4 => u32, |b| u32::from_le_bytes(b);
    f64_load: 8 => u64, |b| u64::from_le_bytes(b);
    i32_load8_s: 1 => i32, |b| b[0] as i8 as i32;
    i32_load8_u: 1 => u32, |b| b[0] as u32;
    i32_load16_s: 2 => i32, |b| i16::from_le_bytes(b) as i32;
    i32_load16_u: 2 => u32, |b| u16::from_le_bytes(b) as u32;
    i64_load8_s: 1 => i64, |b| b[0] as i8 as i64;
    i64_load8_u: 1 => u64, |b| b[0] as u64;
    i64_load16_s: 2 => i64, |b| i16::from_le_bytes(b) as i64;
    i64_load16_u: 2 => u64, |b| u16::from_le_bytes(b) as u64;
    i64_load32_s: 4 => i64, |b| i32::from_le_bytes(b) as i64;
    i64_load32_u: 4 => u64, |b| u32::from_le_bytes(b) as u64;
}

/// Stores: the bytes written for a value's slot bits.
macro_rules! store {
    ($($name:ident: $n:literal, |$v:ident| $e:expr;)*) => {$(
        #[inline(always)]
        pub(crate) fn $name($v: u64) -> [u8; $n] { $e }
    )*};
}

store! {
    i32_store: 4, |v| (v as u32).to_le_bytes();
    i64_store: 8, |v| v.to_le_bytes();
    f32_store: 4, |v| (v as u32).to_le_bytes();
    f64_store: 8, |v| v.to_le_bytes();
    i32_store8: 1, |v| [v as u8];
    i32_store16: 2, |v| (v as u16).to_le_bytes();
    i64_store8: 1, |v| [v as u8];
    i64_store16: 2, |v| (v as u16).to_le_bytes();
    i64_store32: 4, |v| (v as u32).to_le_bytes();
}

macro_rules! int_div {
    ($div_s:ident, $div_u:ident, $rem_s:ident, $rem_u:ident, $s:ty, $u:ty) => {
        #[inline(always)]
        pub(crate) fn $div_s(a: $s, b: $s) -> Result<$s, TrapCode> {
            if b == 0 {
                Err(TrapCode::IntegerDivideByZero)
            } else if a == <$s>::MIN && b == -1 {
                Err(TrapCode::IntegerOverflow)
            } else {
                Ok(a / b)
            }
        }
        #[inline(always)]
        pub(crate) fn $div_u(a: $u, b: $u) -> Result<$u, TrapCode> {
            if b == 0 {
                Err(TrapCode::IntegerDivideByZero)
            } else {
                Ok(a / b)
            }
        }
        #[inline(always)]
        pub(crate) fn $rem_s(a: $s, b: $s) -> Result<$s, TrapCode> {
            if b == 0 {
                Err(TrapCode::IntegerDivideByZero)
            } else {
                Ok(a.wrapping_rem(b))
            }
        }
        #[inline(always)]
        pub(crate) fn $rem_u(a: $u, b: $u) -> Result<$u, TrapCode> {
            if b == 0 {
                Err(TrapCode::IntegerDivideByZero)
            } else {
                Ok(a % b)
            }
        }
    };
}

int_div!(i32_div_s, i32_div_u, i32_rem_s, i32_rem_u, i32, u32);
int_div!(i64_div_s, i64_div_u, i64_rem_s, i64_rem_u, i64, u64);

macro_rules! float_minmax {
    ($min:ident, $max:ident, $f:ty) => {
        /// NaN in, NaN out; -0 is less than +0.
        #[inline(always)]
        pub(crate) fn $min(a: $f, b: $f) -> $f {
            if a.is_nan() || b.is_nan() {
                a + b
            } else if a == b {
                <$f>::from_bits(a.to_bits() | b.to_bits())
            } else if a < b {
                a
            } else {
                b
            }
        }
        #[inline(always)]
        pub(crate) fn $max(a: $f, b: $f) -> $f {
            if a.is_nan() || b.is_nan() {
                a + b
            } else if a == b {
                <$f>::from_bits(a.to_bits() & b.to_bits())
            } else if a > b {
                a
            } else {
                b
            }
        }
    };
}

float_minmax!(f32_min, f32_max, f32);
float_minmax!(f64_min, f64_max, f64);

/// Rounding to an integral value. libm hands a signalling NaN back as it came; Wasm wants an
/// arithmetic (quiet) NaN, so the quiet bit is set on the way out.
macro_rules! rounding {
    ($($name:ident: $f:ty, $op:ident, $quiet:expr;)*) => {$(
        #[inline(always)]
        pub(crate) fn $name(x: $f) -> $f {
            if x.is_nan() {
                <$f>::from_bits(x.to_bits() | $quiet)
            } else {
                x.$op()
            }
        }
    )*};
}

rounding! {
    f32_ceil: f32, ceil, 0x0040_0000;
    f32_floor: f32, floor, 0x0040_0000;
    f32_trunc: f32, trunc, 0x0040_0000;
    f32_nearest: f32, round_ties_even, 0x0040_0000;
    f64_ceil: f64, ceil, 0x0008_0000_0000_0000;
    f64_floor: f64, floor, 0x0008_0000_0000_0000;
    f64_trunc: f64, trunc, 0x0008_0000_0000_0000;
    f64_nearest: f64, round_ties_even, 0x0008_0000_0000_0000;
}

/// Trapping float-to-int truncation: NaN is an invalid conversion, out of range an overflow.
/// `lo` and `hi` bound the truncated value exclusively: `lo < trunc(x) < hi`.
macro_rules! trunc {
    ($name:ident, $f:ty, $i:ty, $lo:expr, $hi:expr) => {
        #[inline(always)]
        pub(crate) fn $name(x: $f) -> Result<$i, TrapCode> {
            if x.is_nan() {
                return Err(TrapCode::BadConversionToInteger);
            }
            let t = x.trunc();
            if t <= $lo || t >= $hi {
                return Err(TrapCode::IntegerOverflow);
            }
            Ok(t as $i)
        }
    };
}

trunc!(i32_trunc_f32_s, f32, i32, -2147483904.0f32, 2147483648.0f32);
trunc!(i32_trunc_f32_u, f32, u32, -1.0f32, 4294967296.0f32);
trunc!(i32_trunc_f64_s, f64, i32, -2147483649.0f64, 2147483648.0f64);
trunc!(i32_trunc_f64_u, f64, u32, -1.0f64, 4294967296.0f64);
trunc!(i64_trunc_f32_s, f32, i64, -9223373136366403584.0f32, 9223372036854775808.0f32);
trunc!(i64_trunc_f32_u, f32, u64, -1.0f32, 18446744073709551616.0f32);
trunc!(i64_trunc_f64_s, f64, i64, -9223372036854777856.0f64, 9223372036854775808.0f64);
trunc!(i64_trunc_f64_u, f64, u64, -1.0f64, 18446744073709551616.0f64);

/// `i64.add128`: the 128-bit sum of `(a_lo, a_hi)` and `(b_lo, b_hi)`, wrapping, as (low, high).
#[inline(always)]
pub(crate) fn i64_add128(a_lo: u64, a_hi: u64, b_lo: u64, b_hi: u64) -> (u64, u64) {
    let r = wide(a_lo, a_hi).wrapping_add(wide(b_lo, b_hi));
    (r as u64, (r >> 64) as u64)
}

/// `i64.sub128`: the 128-bit difference `(a_lo, a_hi) - (b_lo, b_hi)`, wrapping, as (low, high).
#[inline(always)]
pub(crate) fn i64_sub128(a_lo: u64, a_hi: u64, b_lo: u64, b_hi: u64) -> (u64, u64) {
    let r = wide(a_lo, a_hi).wrapping_sub(wide(b_lo, b_hi));
    (r as u64, (r >> 64) as u64)
}

/// `i64.mul_wide_s`: the full 128-bit product of two signed i64s, as (low, high).
#[inline(always)]
pub(crate) fn i64_mul_wide_s(a: i64, b: i64) -> (u64, u64) {
    let r = (a as i128).wrapping_mul(b as i128);
    (r as u64, (r >> 64) as u64)
}

/// `i64.mul_wide_u`: the full 128-bit product of two unsigned i64s, as (low, high).
#[inline(always)]
pub(crate) fn i64_mul_wide_u(a: u64, b: u64) -> (u64, u64) {
    let r = (a as u128) * (b as u128);
    (r as u64, (r >> 64) as u64)
}

/// The 128-bit integer of two 64-bit halves.
#[inline(always)]
fn wide(lo: u64, hi: u64) -> u128 {
    (hi as u128) << 64 | lo as u128
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trunc_edges() {
        assert_eq!(i32_trunc_f32_s(-2147483648.0), Ok(i32::MIN));
        assert_eq!(i32_trunc_f32_s(2147483648.0), Err(TrapCode::IntegerOverflow));
        assert_eq!(i32_trunc_f64_s(-2147483648.9), Ok(i32::MIN));
        assert_eq!(i32_trunc_f64_s(-2147483649.0), Err(TrapCode::IntegerOverflow));
        assert_eq!(i32_trunc_f32_u(-0.9), Ok(0));
        assert_eq!(i32_trunc_f32_u(-1.0), Err(TrapCode::IntegerOverflow));
        assert_eq!(i64_trunc_f64_s(-9223372036854775808.0), Ok(i64::MIN));
        assert_eq!(i64_trunc_f32_s(f32::NAN), Err(TrapCode::BadConversionToInteger));
        assert_eq!(i64_trunc_f64_u(18446744073709549568.0), Ok(18446744073709549568));
    }

    #[test]
    fn min_max_zero_and_nan() {
        assert!(f32_min(0.0, -0.0).is_sign_negative());
        assert!(f32_max(-0.0, 0.0).is_sign_positive());
        assert!(f64_min(f64::NAN, 1.0).is_nan());
        assert_eq!(i32_rem_s(i32::MIN, -1), Ok(0));
        assert_eq!(i32_div_s(i32::MIN, -1), Err(TrapCode::IntegerOverflow));
    }

    #[test]
    fn wide_arithmetic_carries() {
        assert_eq!(i64_add128(u64::MAX, 0, 1, 0), (0, 1));
        assert_eq!(i64_add128(u64::MAX, u64::MAX, 1, 0), (0, 0));
        assert_eq!(i64_sub128(0, 0, 1, 0), (u64::MAX, u64::MAX));
        assert_eq!(i64_sub128(0, 1, 1, 0), (u64::MAX, 0));
        assert_eq!(i64_mul_wide_s(-1, -1), (1, 0));
        assert_eq!(i64_mul_wide_s(i64::MIN, -1), (1 << 63, 0));
        assert_eq!(i64_mul_wide_s(-2, 3), (-6i64 as u64, u64::MAX));
        assert_eq!(i64_mul_wide_u(u64::MAX, u64::MAX), (1, u64::MAX - 1));
    }
}

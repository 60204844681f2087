//! Numeric semantics of WebAssembly, as small functions the dispatch loop inlines.

use crate::trap::TrapCode;

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

/// A loop counter of the fused latch forms (`isa::for_each_fused_step!`): its slot plus a
/// sign-extended step, wrapping at the counter's width. An i32 counter's slot stays
/// zero-extended, as every i32 producer leaves it.
pub(crate) trait Counter {
    fn step(slot: u64, step: i16) -> u64;
    /// The counter plus another value of its type (in `by`'s slot).
    fn add(slot: u64, by: u64) -> u64;
}

impl Counter for u32 {
    #[inline(always)]
    fn step(slot: u64, step: i16) -> u64 {
        (slot as u32).wrapping_add(step as i32 as u32) as u64
    }

    #[inline(always)]
    fn add(slot: u64, by: u64) -> u64 {
        (slot as u32).wrapping_add(by as u32) as u64
    }
}

impl Counter for u64 {
    #[inline(always)]
    fn step(slot: u64, step: i16) -> u64 {
        slot.wrapping_add(step as i64 as u64)
    }

    #[inline(always)]
    fn add(slot: u64, by: u64) -> u64 {
        slot.wrapping_add(by)
    }
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
}

//! Command-line text to Wasm values and back.
//!
//! Integers: decimal or `0x` hex, optionally negative, in the signed or the unsigned range of
//! their width (`i32`: `-1` and `0xffffffff` are the same value). Floats: Rust's decimal syntax,
//! `inf`, `nan`, `nan:0xPAYLOAD`, and hex floats as in the text format (`0x1.8p3`). `_` may
//! separate digits. Results print integers signed and floats in Rust's shortest round-trip form.

use wisp::{Val, ValType};

/// Parses `text` as a value of type `ty`; the error says why, without the argument's position.
pub fn parse_val(ty: ValType, text: &str) -> Result<Val, String> {
    let t = text.trim();
    match ty {
        ValType::I32 => parse_int(t, 32).map(|v| Val::I32(v as u32 as i32)),
        ValType::I64 => parse_int(t, 64).map(|v| Val::I64(v as i64)),
        ValType::F32 => parse_float(t, FloatFormat::F32).map(|b| Val::F32(b as u32)),
        ValType::F64 => parse_float(t, FloatFormat::F64).map(Val::F64),
        ValType::Ref(r) => {
            if t == "null" {
                Ok(Val::default_for(ty))
            } else {
                Err(format!("a {r} argument can only be `null` on the command line"))
            }
        }
        #[allow(unreachable_patterns)]
        other => Err(format!("{other} arguments are not supported on the command line")),
    }
}

/// Prints a value as `wisp invoke` does: one line per result.
pub fn format_val(v: &Val) -> String {
    match v {
        Val::I32(x) => x.to_string(),
        Val::I64(x) => x.to_string(),
        Val::F32(bits) => format_float(u64::from(*bits), FloatFormat::F32),
        Val::F64(bits) => format_float(*bits, FloatFormat::F64),
        Val::FuncRef(None) | Val::ExternRef(None) | Val::ExnRef(None) | Val::AnyRef(None) => "null".into(),
        Val::FuncRef(Some(_)) => "funcref".into(),
        Val::ExternRef(Some(_)) => "externref".into(),
        Val::ExnRef(Some(_)) => "exnref".into(),
        other => format!("{other:?}"),
    }
}

/// Parses an integer of `width` bits, returned as its unsigned bit pattern.
fn parse_int(t: &str, width: u32) -> Result<u64, String> {
    let (neg, body) = split_sign(t);
    let digits: String = body.chars().filter(|&c| c != '_').collect();
    let (radix, digits) = match digits.strip_prefix("0x").or_else(|| digits.strip_prefix("0X")) {
        Some(h) => (16, h.to_string()),
        None => (10, digits),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return Err(format!("`{t}` is not an integer"));
    }
    let too_big = || format!("`{t}` does not fit in i{width}");
    let mag = u128::from_str_radix(&digits, radix).map_err(|_| too_big())?;
    let unsigned_max = (1u128 << width) - 1;
    let signed_min_mag = 1u128 << (width - 1);
    if neg {
        if mag > signed_min_mag {
            return Err(too_big());
        }
        Ok(((1u128 << width) - mag) as u64 & (unsigned_max as u64))
    } else {
        if mag > unsigned_max {
            return Err(too_big());
        }
        Ok(mag as u64)
    }
}

fn split_sign(t: &str) -> (bool, &str) {
    if let Some(r) = t.strip_prefix('-') {
        (true, r)
    } else {
        (false, t.strip_prefix('+').unwrap_or(t))
    }
}

/// The shape of an IEEE 754 binary format.
#[derive(Debug, Clone, Copy)]
pub struct FloatFormat {
    mant_bits: u32,
    exp_bits: u32,
}

impl FloatFormat {
    pub const F32: FloatFormat = FloatFormat { mant_bits: 23, exp_bits: 8 };
    pub const F64: FloatFormat = FloatFormat { mant_bits: 52, exp_bits: 11 };

    fn bias(self) -> i64 {
        (1 << (self.exp_bits - 1)) - 1
    }

    fn sign_bit(self) -> u64 {
        1 << (self.mant_bits + self.exp_bits)
    }

    fn exp_mask(self) -> u64 {
        ((1 << self.exp_bits) - 1) << self.mant_bits
    }

    fn mant_mask(self) -> u64 {
        (1 << self.mant_bits) - 1
    }

    fn name(self) -> &'static str {
        if self.mant_bits == 23 {
            "f32"
        } else {
            "f64"
        }
    }
}

/// Parses a float of format `f`, returned as its bits. The sign is applied to the bits, so
/// `-0`, `-nan` and `-inf` keep it.
fn parse_float(t: &str, f: FloatFormat) -> Result<u64, String> {
    let (neg, body) = split_sign(t);
    let sign = if neg { f.sign_bit() } else { 0 };
    let lower = body.to_ascii_lowercase();
    let not_float = || format!("`{t}` is not an {} number", f.name());
    let magnitude = if lower == "nan" {
        f.exp_mask() | (1 << (f.mant_bits - 1))
    } else if let Some(payload) = lower.strip_prefix("nan:0x") {
        let p = u64::from_str_radix(&payload.replace('_', ""), 16).map_err(|_| not_float())?;
        if p == 0 || p > f.mant_mask() {
            return Err(format!("`{t}`: a NaN payload must be in 1..={:#x}", f.mant_mask()));
        }
        f.exp_mask() | p
    } else if lower == "inf" || lower == "infinity" {
        f.exp_mask()
    } else if let Some(hex) = lower.strip_prefix("0x") {
        parse_hex_float(hex, f).ok_or_else(not_float)?
    } else {
        let digits = lower.replace('_', "");
        // Rust's parser would also take "nan"/"inf" spellings we handle above, and a sign.
        if digits.is_empty() || !digits.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
            return Err(not_float());
        }
        if f.mant_bits == 23 {
            u64::from(digits.parse::<f32>().map_err(|_| not_float())?.to_bits())
        } else {
            digits.parse::<f64>().map_err(|_| not_float())?.to_bits()
        }
    };
    Ok(sign | magnitude)
}

/// The bits of an unsigned hex float (`1.8p3`, the text after `0x`), rounded to nearest even.
/// `None` when the text is not one.
fn parse_hex_float(text: &str, f: FloatFormat) -> Option<u64> {
    let (mant_text, exp_text) = match text.find('p') {
        Some(i) => (&text[..i], Some(&text[i + 1..])),
        None => (text, None),
    };
    let mut exp: i64 = match exp_text {
        None => 0,
        Some(e) => {
            let (neg, d) = split_sign(e);
            let d: String = d.chars().filter(|&c| c != '_').collect();
            if d.is_empty() || !d.chars().all(|c| c.is_ascii_digit()) {
                return None;
            }
            // Anything past a million overflows or underflows every format alike.
            let v = d.parse::<i64>().unwrap_or(i64::MAX).min(1_000_000);
            if neg {
                -v
            } else {
                v
            }
        }
    };
    // Keep at most 60 significant bits in `m`; what falls off only matters as "nonzero".
    let mut m: u64 = 0;
    let mut sticky = false;
    let mut seen_point = false;
    let mut any_digit = false;
    for c in mant_text.chars() {
        match c {
            '_' => continue,
            '.' if !seen_point => seen_point = true,
            _ => {
                let d = u64::from(c.to_digit(16)?);
                any_digit = true;
                if m < (1 << 56) {
                    m = m * 16 + d;
                    if seen_point {
                        exp -= 4;
                    }
                } else {
                    sticky |= d != 0;
                    if !seen_point {
                        exp += 4;
                    }
                }
            }
        }
    }
    if !any_digit {
        return None;
    }
    if m == 0 {
        return Some(0);
    }
    let mant_bits = i64::from(f.mant_bits);
    let emin = 1 - f.bias();
    let n = i64::from(64 - m.leading_zeros());
    let e_top = exp + n - 1;
    // The exponent of the result's last bit: full precision for normals, fixed for subnormals.
    let mut lsb_exp = (e_top - mant_bits).max(emin - mant_bits);
    let shift = lsb_exp - exp;
    let mut q: u64 = if shift <= 0 {
        // Exact: `m` has fewer bits than the format keeps (and nothing fell off, see above).
        m << (-shift)
    } else if shift >= 64 {
        // Below half of the smallest subnormal unless it is exactly there; 60 bits cannot be.
        0
    } else {
        let q = m >> shift;
        let r = m & ((1u64 << shift) - 1);
        let half = 1u64 << (shift - 1);
        if r > half || (r == half && (sticky || q & 1 == 1)) {
            q + 1
        } else {
            q
        }
    };
    if q == 1 << (f.mant_bits + 1) {
        q >>= 1;
        lsb_exp += 1;
    }
    if q == 0 {
        return Some(0);
    }
    if q < (1 << f.mant_bits) {
        return Some(q); // subnormal
    }
    let biased = lsb_exp + mant_bits + f.bias();
    if biased >= (1 << f.exp_bits) - 1 {
        return Some(f.exp_mask()); // overflows to infinity, as a decimal literal would
    }
    Some(((biased as u64) << f.mant_bits) | (q & f.mant_mask()))
}

/// Rust's shortest round-trip form for numbers (`3.0`, `0.1`, `1e-7`, `inf`); NaNs as `nan`,
/// with their payload when it is not the canonical one.
fn format_float(bits: u64, f: FloatFormat) -> String {
    let is_nan = bits & f.exp_mask() == f.exp_mask() && bits & f.mant_mask() != 0;
    if is_nan {
        let sign = if bits & f.sign_bit() != 0 { "-" } else { "" };
        let payload = bits & f.mant_mask();
        return if payload == 1 << (f.mant_bits - 1) {
            format!("{sign}nan")
        } else {
            format!("{sign}nan:{payload:#x}")
        };
    }
    if f.mant_bits == 23 {
        format!("{:?}", f32::from_bits(bits as u32))
    } else {
        format!("{:?}", f64::from_bits(bits))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn i32v(t: &str) -> Result<i32, String> {
        match parse_val(ValType::I32, t)? {
            Val::I32(v) => Ok(v),
            _ => unreachable!(),
        }
    }

    fn i64v(t: &str) -> Result<i64, String> {
        match parse_val(ValType::I64, t)? {
            Val::I64(v) => Ok(v),
            _ => unreachable!(),
        }
    }

    fn f32b(t: &str) -> u32 {
        match parse_val(ValType::F32, t).unwrap() {
            Val::F32(v) => v,
            _ => unreachable!(),
        }
    }

    fn f64b(t: &str) -> u64 {
        match parse_val(ValType::F64, t).unwrap() {
            Val::F64(v) => v,
            _ => unreachable!(),
        }
    }

    #[test]
    fn integers() {
        assert_eq!(i32v("3"), Ok(3));
        assert_eq!(i32v("-1"), Ok(-1));
        assert_eq!(i32v("0xffffffff"), Ok(-1));
        assert_eq!(i32v("4294967295"), Ok(-1));
        assert_eq!(i32v("-2147483648"), Ok(i32::MIN));
        assert_eq!(i32v("0x7FFF_FFFF"), Ok(i32::MAX));
        assert_eq!(i32v("-0x10"), Ok(-16));
        assert_eq!(i32v("+5"), Ok(5));
        assert!(i32v("4294967296").is_err());
        assert!(i32v("-2147483649").is_err());
        assert!(i32v("").is_err());
        assert!(i32v("1.5").is_err());
        assert!(i32v("0x").is_err());
        assert!(i32v("abc").is_err());
        assert_eq!(i64v("-9223372036854775808"), Ok(i64::MIN));
        assert_eq!(i64v("18446744073709551615"), Ok(-1));
        assert_eq!(i64v("0x8000000000000000"), Ok(i64::MIN));
        assert!(i64v("18446744073709551616").is_err());
        assert!(i64v("99999999999999999999999999999999999999999").is_err());
    }

    #[test]
    fn floats_decimal_and_special() {
        assert_eq!(f64b("1.5"), 1.5f64.to_bits());
        assert_eq!(f64b("-0"), (-0.0f64).to_bits());
        assert_eq!(f64b("1e300"), 1e300f64.to_bits());
        assert_eq!(f64b(".5"), 0.5f64.to_bits());
        assert_eq!(f64b("inf"), f64::INFINITY.to_bits());
        assert_eq!(f64b("-inf"), f64::NEG_INFINITY.to_bits());
        assert_eq!(f64b("nan"), 0x7ff8_0000_0000_0000);
        assert_eq!(f64b("-nan"), 0xfff8_0000_0000_0000);
        assert_eq!(f64b("nan:0x1"), 0x7ff0_0000_0000_0001);
        assert_eq!(f32b("nan"), 0x7fc0_0000);
        assert_eq!(f32b("nan:0x200000"), 0x7fa0_0000);
        assert_eq!(f32b("0.1"), 0.1f32.to_bits());
        assert_eq!(f32b("3"), 3.0f32.to_bits());
        assert!(parse_val(ValType::F32, "nan:0x800000").is_err());
        assert!(parse_val(ValType::F32, "x").is_err());
        assert!(parse_val(ValType::F32, "--1").is_err());
        assert!(parse_val(ValType::F64, "").is_err());
    }

    #[test]
    fn hex_floats() {
        assert_eq!(f64b("0x1.8p3"), 12.0f64.to_bits());
        assert_eq!(f64b("0x10"), 16.0f64.to_bits());
        assert_eq!(f64b("-0x1p-1"), (-0.5f64).to_bits());
        assert_eq!(f64b("0x0p0"), 0);
        assert_eq!(f64b("0x1p-1074"), 1);
        assert_eq!(f64b("0x1p-1075"), 0); // halfway to the smallest subnormal: ties to even
        assert_eq!(f64b("0x1.0000000000001p-1075"), 1);
        assert_eq!(f64b("0x1.fffffffffffffp1023"), f64::MAX.to_bits());
        assert_eq!(f64b("0x1p1024"), f64::INFINITY.to_bits());
        assert_eq!(f64b("0x1p-1022"), f64::MIN_POSITIVE.to_bits());
        assert_eq!(f64b("0x0.8p-1022"), 1 << 51);
        assert_eq!(f32b("0x1p-149"), 1);
        assert_eq!(f32b("0x1.fffffep127"), f32::MAX.to_bits());
        // 24 bits plus exactly half an ulp rounds to even (down), plus a bit more rounds up.
        assert_eq!(f32b("0x1.000001p0"), 1.0f32.to_bits());
        assert_eq!(f32b("0x1.000003p0"), 1.0f32.to_bits() + 2);
        assert_eq!(f32b("0x1.00000100000000000000001p0"), 1.0f32.to_bits() + 1);
        assert_eq!(f32b("0x1.fffffffp0"), 2.0f32.to_bits());
        assert_eq!(f64b("0x123456789abcdef0123456789p0"), (0x1_2345_6789_abcd_ef01_2345_6789u128 as f64).to_bits());
    }

    #[test]
    fn formatting() {
        assert_eq!(format_val(&Val::I32(-1)), "-1");
        assert_eq!(format_val(&Val::I64(i64::MAX)), "9223372036854775807");
        assert_eq!(format_val(&Val::F64(3.0f64.to_bits())), "3.0");
        assert_eq!(format_val(&Val::F64(0.1f64.to_bits())), "0.1");
        assert_eq!(format_val(&Val::F32(0.1f32.to_bits())), "0.1");
        assert_eq!(format_val(&Val::F64(1e-7f64.to_bits())), "1e-7");
        assert_eq!(format_val(&Val::F64(f64::NEG_INFINITY.to_bits())), "-inf");
        assert_eq!(format_val(&Val::F64(0x7ff8_0000_0000_0000)), "nan");
        assert_eq!(format_val(&Val::F32(0xffc0_0000)), "-nan");
        assert_eq!(format_val(&Val::F32(0x7f80_0001)), "nan:0x1");
        assert_eq!(format_val(&Val::FuncRef(None)), "null");
    }

    #[test]
    fn round_trip() {
        for bits in
            [0u64, 1, 0x8000_0000_0000_0000, 0x7fef_ffff_ffff_ffff, 0x3fb9_9999_9999_999a, 0x7ff0_0000_0000_0002]
        {
            let s = format_val(&Val::F64(bits));
            assert_eq!(f64b(&s), bits, "{s}");
        }
    }
}

//! The host side of a generated module, written once for both engines.
//!
//! Every import of a generated module is provided by the harness: functions by one of three
//! deterministic host functions (below), globals, tables and memories by objects created with
//! the import's type and a value derived from the import's index. Each engine's side only
//! converts values and implements [`Guest`] over its `Caller`; what a host function does,
//! returns and when it fails is decided here, so a difference in the outcome is the engines'.

use crate::{Outcome, Rng, TrapKind, Ty, FUEL_EXPORT, V};

/// Host functions call back into Wasm at most this many levels deep.
pub const MAX_DEPTH: u32 = 4;
/// The text of the error a trapping host function returns (wisp carries errors as strings).
pub const HOST_TRAP_PREFIX: &str = "wisp-difftest host trap ";

/// The type of an import, in terms both engines share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExternTy {
    Func(Vec<Ty>, Vec<Ty>),
    /// Content type, mutability.
    Global(Ty, bool),
    /// Minimum and maximum in pages, 64-bit addresses, log2 of the page size.
    Memory(u64, Option<u64>, bool, u8),
    /// Element type, minimum and maximum, 64-bit indices.
    Table(Ty, u64, Option<u64>, bool),
}

/// An import of the module under test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    pub module: String,
    pub name: String,
    pub ty: ExternTy,
}

/// The type of an export, as far as host functions use it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportTy {
    Func(Vec<Ty>, Vec<Ty>),
    /// Content type, mutability.
    Global(Ty, bool),
    Memory,
    /// Element type.
    Table(Ty),
}

/// A module's imports and exports, read by the reference engine and checked on the others.
/// Sorted by name (engines list them in different orders: wasmi groups imports by kind and
/// sorts exports); an import's index here is what host functions and identities go by.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    pub imports: Vec<Import>,
    pub exports: Vec<(String, ExportTy)>,
}

impl Plan {
    pub fn new(mut imports: Vec<Import>, mut exports: Vec<(String, ExportTy)>) -> Plan {
        imports.sort_by(|a, b| (&a.module, &a.name).cmp(&(&b.module, &b.name)));
        exports.sort_by(|a, b| a.0.cmp(&b.0));
        Plan { imports, exports }
    }
}

/// The error a trapping host function fails with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostTrap(pub u32);

impl std::fmt::Display for HostTrap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{HOST_TRAP_PREFIX}{}", self.0)
    }
}

impl HostTrap {
    /// The code of a host trap's message.
    pub fn parse(msg: &str) -> Option<HostTrap> {
        msg.strip_prefix(HOST_TRAP_PREFIX)?.parse().ok().map(HostTrap)
    }
}

/// What an imported function does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// Results mixed from the arguments, the import and the number of host calls so far.
    Mix,
    /// As `Mix`, after reading and writing the caller's exported memory and a global and
    /// calling one of its exported functions (through the `Caller`, up to `MAX_DEPTH` deep).
    Reenter,
    /// As `Mix`, but fails with a `HostTrap` for one call in four (by the same mix).
    Trap,
}

/// The behaviour of import `index` (a function).
pub fn behaviour(index: usize, import: &Import) -> Behaviour {
    match (index as u64).wrapping_add(fnv(import.name.as_bytes())) % 3 {
        0 => Behaviour::Mix,
        1 => Behaviour::Reenter,
        _ => Behaviour::Trap,
    }
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3))
}

/// splitmix64's finalizer over `h ^ x`.
pub fn mix(h: u64, x: u64) -> u64 {
    let mut z = (h ^ x).wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A value's bits, tagged by type (references by identity).
pub fn bits(v: V) -> u64 {
    match v {
        V::I32(x) => u64::from(x as u32),
        V::I64(x) => x as u64,
        V::F32(x) => u64::from(x) | 1 << 33,
        V::F64(x) => mix(x, 2),
        V::FuncRef(None) => 3 << 60,
        V::FuncRef(Some(i)) => 4 << 60 | u64::from(i),
        V::ExternRef(None) => 5 << 60,
        V::ExternRef(Some(p)) => 6 << 60 | u64::from(p),
        V::V128(x) => mix(mix(x as u64, (x >> 64) as u64), 7),
    }
}

fn outcome_bits(o: &Outcome) -> u64 {
    match o {
        Outcome::Ok(_) => 0,
        Outcome::Trap(k) => 1 + *k as u64,
        Outcome::HostTrap(c) => 100 + u64::from(*c),
        Outcome::Error(_) => 99,
        Outcome::Refused(_) => 98,
    }
}

/// What host functions keep in the store (next to each engine's own bookkeeping).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct HostState {
    pub plan: Plan,
    /// Host function calls so far (from Wasm, from the harness, nested).
    pub calls: u64,
    /// Host traps returned so far.
    pub traps: u64,
    /// Calls host functions made back into the instance's exports.
    pub reentries: u64,
    /// Nested host calls active now.
    pub depth: u32,
    /// Functions with an identity both engines share: host functions in import order, then
    /// exported functions in export order (each once).
    pub known_funcs: u32,
}

/// What a host function can do with its caller, on either engine.
pub trait Guest {
    type Error;
    fn state(&mut self) -> &mut HostState;
    /// Whether there is an instance to call back into: the caller's, or (when the harness
    /// calls a host function directly) the instance once instantiated.
    fn has_instance(&self) -> bool;
    fn memory_len(&self, name: &str) -> Option<usize>;
    /// Reads `buf.len()` bytes at `at`; false when out of bounds.
    fn memory_read(&self, name: &str, at: usize, buf: &mut [u8]) -> bool;
    /// Writes `bytes` at `at`; false when out of bounds.
    fn memory_write(&mut self, name: &str, at: usize, bytes: &[u8]) -> bool;
    fn global_get(&mut self, name: &str) -> Option<V>;
    fn global_set(&mut self, name: &str, v: V) -> bool;
    /// Calls an export of the caller; on failure the outcome and the error to pass on.
    fn call(&mut self, name: &str, args: &[V], results: &[Ty]) -> Result<Vec<V>, (Outcome, Self::Error)>;
    fn host_trap(&self, trap: HostTrap) -> Self::Error;
}

/// A value of type `ty` from `rng`, biased to edge values (no NaN payloads); references are
/// null or one of the `known` functions or an externref with a small payload.
pub fn value(rng: &mut Rng, ty: Ty, known: u32) -> V {
    let r = rng.next();
    let pick = (r >> 56) % 8;
    match ty {
        Ty::I32 => V::I32(match pick {
            0 => 0,
            1 => 1,
            2 => -1,
            3 => i32::MIN,
            4 => i32::MAX,
            5 => (r % 70_000) as i32,
            _ => r as i32,
        }),
        Ty::I64 => V::I64(match pick {
            0 => 0,
            1 => 1,
            2 => -1,
            3 => i64::MIN,
            4 => i64::MAX,
            5 => (r % 70_000) as i64,
            _ => r as i64,
        }),
        Ty::F32 => V::F32(match pick {
            0 => 0,
            1 => 1.0f32.to_bits(),
            2 => (-0.0f32).to_bits(),
            3 => f32::INFINITY.to_bits(),
            4 => 2147483648.0f32.to_bits(),
            5 => ((r % 1000) as f32 - 500.5).to_bits(),
            _ => (r as u32) & !0x0040_0000 | 0x0080_0000, // no NaN payloads
        }),
        Ty::F64 => V::F64(match pick {
            0 => 0,
            1 => 1.0f64.to_bits(),
            2 => (-0.0f64).to_bits(),
            3 => f64::NEG_INFINITY.to_bits(),
            4 => 9.3e18f64.to_bits(),
            5 => ((r % 1000) as f64 - 500.5).to_bits(),
            _ => (r as i64 as f64).to_bits(),
        }),
        Ty::FuncRef => {
            if pick < 2 || known == 0 {
                V::FuncRef(None)
            } else {
                V::FuncRef(Some((r % u64::from(known)) as u32))
            }
        }
        Ty::ExternRef => V::ExternRef(if pick < 2 { None } else { Some((r % 1000) as u32) }),
        Ty::V128 => {
            let hi = rng.next();
            let lanes = |x: u64| u128::from(x) | u128::from(x) << 64;
            V::V128(match pick {
                0 => 0,
                1 => u128::MAX,
                // Every byte 0x80 (signed lane minima), every 32-bit lane 1.0f32, every 64-bit
                // lane -0.0f64: edges for saturation, conversions and signed zeros.
                2 => lanes(0x8080_8080_8080_8080),
                3 => lanes(0x3f80_0000_3f80_0000),
                4 => lanes(0x8000_0000_0000_0000),
                // Small lanes (shuffle and swizzle indices, shift counts), then any bits (no
                // NaN payloads matter: wasm-smith canonicalizes NaNs its code makes).
                5 => u128::from_le_bytes(std::array::from_fn(|i| ((r >> (i % 8 * 8)) as u8) % 34)),
                _ => u128::from(r) | u128::from(hi) << 64,
            })
        }
    }
}

/// The initial value of an imported global or table element (import `index`).
pub fn import_value(index: usize, ty: Ty, known: u32) -> V {
    value(&mut Rng(mix(0x1a7e, index as u64) | 1), ty, known)
}

/// The bytes an imported memory starts with (at offset 0).
pub fn import_memory_bytes(index: usize) -> [u8; 64] {
    let mut rng = Rng(mix(0x3e3, index as u64) | 1);
    std::array::from_fn(|_| rng.next() as u8)
}

/// Host function `index` (an import) called with `params`: its results, or its failure.
pub fn host_call<G: Guest>(g: &mut G, index: usize, params: &[V], results: &[Ty]) -> Result<Vec<V>, G::Error> {
    let st = g.state();
    let n = st.calls;
    st.calls += 1;
    let b = behaviour(index, &st.plan.imports[index]);
    let mut h = mix(index as u64, n);
    for &p in params {
        h = mix(h, bits(p));
    }
    match b {
        Behaviour::Mix => {}
        Behaviour::Trap => {
            if h % 4 == 0 {
                g.state().traps += 1;
                return Err(g.host_trap(HostTrap((h >> 32) as u32 % 1000)));
            }
        }
        Behaviour::Reenter => {
            if g.has_instance() && g.state().depth < MAX_DEPTH {
                g.state().depth += 1;
                let r = reenter(g, h);
                g.state().depth -= 1;
                h = r?;
            }
        }
    }
    let known = g.state().known_funcs;
    let mut rng = Rng(h | 1);
    Ok(results.iter().map(|&t| value(&mut rng, t, known)).collect())
}

/// Reads and writes the caller's memory and a global, and calls one of its exports.
fn reenter<G: Guest>(g: &mut G, mut h: u64) -> Result<u64, G::Error> {
    let mut rng = Rng(h | 1);
    let known = g.state().known_funcs;
    let exports = g.state().plan.exports.clone();
    if let Some((name, _)) = exports.iter().find(|(_, t)| *t == ExportTy::Memory) {
        if let Some(len) = g.memory_len(name) {
            // Sometimes past the end: the read fails alike (a host-side bounds check).
            let at = (rng.next() % (len as u64 + 16)) as usize;
            let mut buf = [0u8; 8];
            h = mix(h, if g.memory_read(name, at, &mut buf) { u64::from_le_bytes(buf) } else { 0xdead });
            let at = (rng.next() % (len as u64 + 16)) as usize;
            if rng.next() & 1 == 0 {
                let ok = g.memory_write(name, at, &h.to_le_bytes());
                h = mix(h, u64::from(ok));
            }
        }
    }
    let globals: Vec<_> = exports
        .iter()
        .filter_map(|(n, t)| match t {
            ExportTy::Global(ty, m) if n != FUEL_EXPORT => Some((n, *ty, *m)),
            _ => None,
        })
        .collect();
    if !globals.is_empty() {
        let (name, ty, mutable) = globals[(rng.next() % globals.len() as u64) as usize];
        if let Some(v) = g.global_get(name) {
            h = mix(h, bits(v));
        }
        if mutable && rng.next() & 1 == 0 {
            let v = value(&mut rng, ty, known);
            let ok = g.global_set(name, v);
            h = mix(h, u64::from(ok));
        }
    }
    let funcs: Vec<_> = exports
        .iter()
        .filter_map(|(n, t)| match t {
            ExportTy::Func(p, r) => Some((n, p, r)),
            _ => None,
        })
        .collect();
    if !funcs.is_empty() && rng.next() % 4 != 0 {
        let (name, params, results) = funcs[(rng.next() % funcs.len() as u64) as usize];
        let args: Vec<V> = params.iter().map(|&t| value(&mut rng, t, known)).collect();
        g.state().reentries += 1;
        match g.call(name, &args, results) {
            Ok(vals) => {
                for v in vals {
                    h = mix(h, bits(v));
                }
            }
            Err((outcome, err)) => {
                // A trap in the nested call is passed on or survived (the outer Wasm goes on
                // with the state the trap left); a stack overflow always passes on, since the
                // engines' limits differ, and so does any other error.
                let survivable = matches!(outcome, Outcome::HostTrap(_))
                    || matches!(outcome, Outcome::Trap(k) if k != TrapKind::StackOverflow);
                if !survivable || rng.next() & 1 == 0 {
                    return Err(err);
                }
                h = mix(h, outcome_bits(&outcome));
            }
        }
    }
    Ok(h)
}

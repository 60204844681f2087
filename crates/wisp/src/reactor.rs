//! Helpers for embedding reactors: modules that export `_initialize` and a set of functions
//! the host calls as often as it likes (Go's `-buildmode=c-shared` with `//go:wasmexport`,
//! or any other toolchain's "library" output).
//!
//! - The lifecycle: [`Instance::initialize_reactor`] runs `_initialize` once and remembers it;
//!   [`Instance::reactor_func`] and [`Instance::reactor_typed_func`] refuse to hand out an
//!   export before that; [`Instance::mark_dead`] retires an instance whose runtime has died,
//!   after which every call into it fails with `instance is dead: ...`.
//! - Guest memory: [`Memory::read_bytes`], [`Memory::read_string`] (UTF-8 checked),
//!   [`Memory::read_packed`], [`Memory::read_value`] and [`Memory::write_value`] for plain
//!   data ([`GuestValue`], and [`guest_struct!`](crate::guest_struct) for `#[repr(C)]`-style
//!   structs), all bounds checked and taking guest (`u32`) pointers.
//! - The alloc/free convention: [`GuestAlloc`].
//!
//! The WASI side (stderr capture, Go panics as errors) lives in `wisp_wasi::GoReactor`.

use crate::error::{Error, Result};
use crate::func::{Func, TypedFunc, WasmParams, WasmResults};
use crate::instance::Instance;
use crate::memory::Memory;
use crate::module::ExternType;
use crate::store::{AsContext, AsContextMut, InstanceEntity, StoreInner};

/// The export a reactor's runtime is started with.
pub const INITIALIZE: &str = "_initialize";
/// The export that marks a WASI command (run once, then exits).
pub const START: &str = "_start";

fn entity<'a>(inner: &'a StoreInner, instance: &Instance) -> Result<&'a InstanceEntity> {
    let i = inner.check(instance.0)?;
    Ok(&inner.instances[i as usize])
}

impl Instance {
    /// Whether the module exports `_start`, i.e. is a WASI command rather than a reactor.
    pub fn is_command(&self, store: impl AsContext) -> bool {
        self.module(&store).is_ok_and(|m| m.get_export(START).is_some())
    }

    /// Starts a reactor: calls `_initialize` if the module exports it, once. Later calls
    /// return `Ok(())` without calling it again.
    ///
    /// Fails with [`Error::Usage`] when the module is a command (it exports `_start`: run
    /// that instead) or when `_initialize` is not a `() -> ()` function. When `_initialize`
    /// fails (traps or exits), the instance is marked dead with that reason and the error is
    /// returned.
    ///
    /// ```
    /// # fn main() -> wisp::Result<()> {
    /// # let wasm = wast::parser::parse::<wast::Wat>(&wast::parser::ParseBuffer::new(r#"
    /// #   (module (global $ready (mut i32) (i32.const 0))
    /// #     (func (export "_initialize") (global.set $ready (i32.const 1)))
    /// #     (func (export "ready") (result i32) (global.get $ready)))"#).unwrap()).unwrap().encode().unwrap();
    /// let engine = wisp::Engine::default();
    /// let module = wisp::Module::new(&engine, &wasm)?;
    /// let mut store = wisp::Store::new(&engine, ());
    /// let instance = wisp::Linker::new(&engine).instantiate(&mut store, &module)?;
    ///
    /// // Before `_initialize`, the helpers refuse to hand out exports.
    /// let err = instance.reactor_typed_func::<(), i32>(&store, "ready").err().unwrap();
    /// assert!(err.to_string().contains("before `_initialize`"));
    ///
    /// instance.initialize_reactor(&mut store)?;
    /// instance.initialize_reactor(&mut store)?; // a no-op the second time
    /// let ready = instance.reactor_typed_func::<(), i32>(&store, "ready")?;
    /// assert_eq!(ready.call(&mut store, ())?, 1);
    /// # Ok(()) }
    /// ```
    pub fn initialize_reactor(&self, mut store: impl AsContextMut) -> Result<()> {
        let store = store.as_context_mut();
        let e = entity(&store.inner, self)?;
        if let Some(why) = &e.dead {
            return Err(Error::Dead(why.clone()));
        }
        if e.reactor_initialized {
            return Ok(());
        }
        if self.is_command(&*store) {
            return Err(Error::Usage(
                "module is a WASI command (it exports `_start`), not a reactor: run `_start` \
                 instead of `initialize_reactor`"
                    .into(),
            ));
        }
        if let Some(init) = self.get_export(&*store, INITIALIZE) {
            let init = init
                .into_func()
                .ok_or_else(|| Error::Usage("the reactor's `_initialize` export is not a function".into()))?;
            let init = init
                .typed::<(), ()>(&*store)
                .map_err(|e| Error::Usage(format!("the reactor's `_initialize` must be () -> (): {e}")))?;
            if let Err(e) = init.call(&mut *store, ()) {
                self.set_dead(&mut *store, format!("`_initialize` failed: {e}"));
                return Err(e);
            }
        }
        let i = store.inner.check(self.0)?;
        store.inner.instances[i as usize].reactor_initialized = true;
        Ok(())
    }

    /// Whether [`Instance::initialize_reactor`] has completed on this instance.
    pub fn is_reactor_initialized(&self, store: impl AsContext) -> bool {
        entity(&store.as_context().inner, self).is_ok_and(|e| e.reactor_initialized)
    }

    /// The exported function `name` of a reactor, refused with a clear error before
    /// [`Instance::initialize_reactor`] has run (when the module exports `_initialize`) and
    /// after the instance died.
    pub fn reactor_func(&self, store: impl AsContext, name: &str) -> Result<Func> {
        let inner = &store.as_context().inner;
        let e = entity(inner, self)?;
        if let Some(why) = &e.dead {
            return Err(Error::Dead(why.clone()));
        }
        if name == INITIALIZE {
            return Err(Error::Usage("`_initialize` runs through `Instance::initialize_reactor`, once".into()));
        }
        if !e.reactor_initialized && e.module.get_export(INITIALIZE).is_some() {
            return Err(Error::Usage(format!(
                "export `{name}` requested before `_initialize` ran: call \
                 `Instance::initialize_reactor` first"
            )));
        }
        match e.module.get_export(name) {
            Some(ExternType::Func(_)) => {}
            Some(_) => return Err(Error::UnknownExport(format!("export `{name}` is not a function"))),
            None => return Err(Error::UnknownExport(format!("no exported function named `{name}`"))),
        }
        self.get_func(&store, name).ok_or_else(|| Error::UnknownExport(format!("no exported function named `{name}`")))
    }

    /// [`Instance::reactor_func`] with its signature checked against `Params -> Results`.
    pub fn reactor_typed_func<Params: WasmParams, Results: WasmResults>(
        &self,
        store: impl AsContext,
        name: &str,
    ) -> Result<TypedFunc<Params, Results>> {
        let f = self.reactor_func(&store, name)?;
        f.typed(&store).map_err(|e| match e {
            Error::Signature(s) => Error::Signature(format!("export `{name}`: {s}")),
            other => other,
        })
    }

    /// Whether the instance was marked dead; every call into a dead instance fails.
    pub fn is_dead(&self, store: impl AsContext) -> bool {
        self.dead_reason(store).is_some()
    }

    /// Why the instance was marked dead, if it was.
    pub fn dead_reason(&self, store: impl AsContext) -> Option<String> {
        entity(&store.as_context().inner, self).ok().and_then(|e| e.dead.clone())
    }

    /// Retires the instance: from now on every call into one of its functions (from the
    /// host or from another instance) fails with [`Error::Dead`] (`instance is dead: {why}`).
    /// For runtimes that cannot continue after a trap or an exit, such as Go's. The first
    /// reason given is kept.
    ///
    /// ```
    /// # fn main() -> wisp::Result<()> {
    /// # let wasm = wast::parser::parse::<wast::Wat>(&wast::parser::ParseBuffer::new(
    /// #   r#"(module (func (export "f") (result i32) (i32.const 7)))"#).unwrap()).unwrap().encode().unwrap();
    /// let engine = wisp::Engine::default();
    /// let module = wisp::Module::new(&engine, &wasm)?;
    /// let mut store = wisp::Store::new(&engine, ());
    /// let instance = wisp::Linker::new(&engine).instantiate(&mut store, &module)?;
    /// let f = instance.get_typed_func::<(), i32>(&store, "f")?;
    /// assert_eq!(f.call(&mut store, ())?, 7);
    /// instance.mark_dead(&mut store, "the runtime panicked");
    /// let err = f.call(&mut store, ()).unwrap_err();
    /// assert_eq!(err.to_string(), "instance is dead: the runtime panicked");
    /// # Ok(()) }
    /// ```
    pub fn mark_dead(&self, mut store: impl AsContextMut, why: impl Into<String>) {
        self.set_dead(store.as_context_mut(), why.into());
    }

    pub(crate) fn set_dead<T>(&self, store: &mut crate::Store<T>, why: String) {
        if let Ok(i) = store.inner.check(self.0) {
            let e = &mut store.inner.instances[i as usize];
            if e.dead.is_none() {
                e.dead = Some(why);
            }
        }
    }
}

fn out_of_bounds(ptr: u32, len: u64, size: usize) -> Error {
    Error::oob(ptr, len, size)
}

/// The byte range `ptr..ptr + len` of a memory of `size` bytes, or an error.
fn range(ptr: u32, len: u64, size: usize) -> Result<std::ops::Range<usize>> {
    let start = ptr as usize;
    usize::try_from(len)
        .ok()
        .and_then(|l| start.checked_add(l))
        .filter(|&end| end <= size)
        .map(|end| start..end)
        .ok_or_else(|| out_of_bounds(ptr, len, size))
}

/// Splits a packed `ptr << 32 | len` result into `(ptr, len)`.
pub fn unpack_ptr_len(packed: u64) -> (u32, u32) {
    ((packed >> 32) as u32, packed as u32)
}

/// Packs `(ptr, len)` as `ptr << 32 | len`.
pub fn pack_ptr_len(ptr: u32, len: u32) -> u64 {
    (u64::from(ptr) << 32) | u64::from(len)
}

impl Memory {
    /// The `len` bytes at guest address `ptr`, borrowed, bounds checked.
    pub fn slice<'a, C: AsContext>(&self, store: &'a C, ptr: u32, len: u32) -> Result<&'a [u8]> {
        let data = self.data(store)?;
        let r = range(ptr, len.into(), data.len())?;
        Ok(&data[r])
    }

    /// A copy of the `len` bytes at guest address `ptr`, bounds checked.
    pub fn read_bytes(&self, store: impl AsContext, ptr: u32, len: u32) -> Result<Vec<u8>> {
        self.slice(&store, ptr, len).map(<[u8]>::to_vec)
    }

    /// The UTF-8 string of `len` bytes at `ptr`; an error if it is out of bounds or not UTF-8.
    ///
    /// ```
    /// # fn main() -> wisp::Result<()> {
    /// let engine = wisp::Engine::default();
    /// let mut store = wisp::Store::new(&engine, ());
    /// let ty = wisp::MemoryType { limits: wisp::Limits { min: 1, max: None }, memory64: false, shared: false, page_size_log2: None };
    /// let memory = wisp::Memory::new(&mut store, ty)?;
    /// memory.write_bytes(&mut store, 16, "héllo".as_bytes())?;
    /// assert_eq!(memory.read_string(&store, 16, 6)?, "héllo");
    /// assert!(memory.read_string(&store, 16, 2).is_err()); // cuts 'é' in half
    /// assert!(memory.read_string(&store, 65535, 2).is_err()); // past the end
    /// # Ok(()) }
    /// ```
    pub fn read_string(&self, store: impl AsContext, ptr: u32, len: u32) -> Result<String> {
        let bytes = self.slice(&store, ptr, len)?;
        match std::str::from_utf8(bytes) {
            Ok(s) => Ok(s.to_owned()),
            Err(e) => Err(Error::Usage(format!("guest string of {len} bytes at {ptr:#x} is not UTF-8: {e}"))),
        }
    }

    /// The bytes a packed `ptr << 32 | len` result points at (none when `len` is 0, whatever
    /// `ptr` is).
    pub fn read_packed(&self, store: impl AsContext, packed: u64) -> Result<Vec<u8>> {
        match unpack_ptr_len(packed) {
            (_, 0) => Ok(Vec::new()),
            (ptr, len) => self.read_bytes(store, ptr, len),
        }
    }

    /// Copies `bytes` to guest address `ptr`, bounds checked.
    pub fn write_bytes(&self, mut store: impl AsContextMut, ptr: u32, bytes: &[u8]) -> Result<()> {
        let data = self.data_mut(&mut store)?;
        let r = range(ptr, bytes.len() as u64, data.len())?;
        data[r].copy_from_slice(bytes);
        Ok(())
    }

    /// Reads a plain value (little-endian, C layout) at guest address `ptr`.
    ///
    /// ```
    /// # fn main() -> wisp::Result<()> {
    /// # let engine = wisp::Engine::default();
    /// # let mut store = wisp::Store::new(&engine, ());
    /// # let ty = wisp::MemoryType { limits: wisp::Limits { min: 1, max: None }, memory64: false, shared: false, page_size_log2: None };
    /// # let memory = wisp::Memory::new(&mut store, ty)?;
    /// wisp::guest_struct! {
    ///     /// Go: `struct { _ structs.HostLayout; A uint16; B int8; C bool; D float32 }`
    ///     #[derive(Debug, Clone, Copy, PartialEq)]
    ///     pub struct Inner { pub a: u16, pub b: i8, pub c: bool, pub d: f32 }
    /// }
    /// use wisp::GuestValue;
    /// assert_eq!((Inner::SIZE, Inner::ALIGN), (8, 4));
    /// let v = Inner { a: 0xFFFF, b: -128, c: true, d: 1.5 };
    /// memory.write_value(&mut store, 64, &v)?;
    /// assert_eq!(memory.read_bytes(&store, 64, 8)?, [0xff, 0xff, 0x80, 1, 0, 0, 0xc0, 0x3f]);
    /// assert_eq!(memory.read_value::<Inner>(&store, 64)?, v);
    /// memory.write_value(&mut store, 128, &[1i32, -1])?;
    /// assert_eq!(memory.read_value::<[i32; 2]>(&store, 128)?, [1, -1]);
    /// # Ok(()) }
    /// ```
    pub fn read_value<T: GuestValue>(&self, store: impl AsContext, ptr: u32) -> Result<T> {
        let bytes = self.slice(&store, ptr, size_u32::<T>(ptr)?)?;
        T::decode(bytes).map_err(|e| e.at(ptr))
    }

    /// Writes a plain value (little-endian, C layout) at guest address `ptr`.
    pub fn write_value<T: GuestValue>(&self, mut store: impl AsContextMut, ptr: u32, value: &T) -> Result<()> {
        let data = self.data_mut(&mut store)?;
        let r = range(ptr, T::SIZE as u64, data.len())?;
        value.encode(&mut data[r]);
        Ok(())
    }
}

fn size_u32<T: GuestValue>(ptr: u32) -> Result<u32> {
    u32::try_from(T::SIZE).map_err(|_| out_of_bounds(ptr, T::SIZE as u64, 0))
}

/// Why bytes in guest memory are not a valid value of a [`GuestValue`] type.
///
/// ```
/// use wisp::GuestValue;
/// // A bool must be 0 or 1.
/// let err = bool::decode(&[2]).unwrap_err();
/// assert_eq!(err, wisp::DecodeError::new(0, "byte 0x02 is not a bool"));
/// assert_eq!(err.shifted(8).offset, 8);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// Byte offset of the bad field within the value.
    pub offset: usize,
    /// What is wrong with it.
    pub message: String,
}

impl DecodeError {
    /// An error at byte `offset` of the value.
    pub fn new(offset: usize, message: impl Into<String>) -> Self {
        DecodeError { offset, message: message.into() }
    }

    /// The same error, for a value that sits `delta` bytes further in.
    pub fn shifted(self, delta: usize) -> Self {
        DecodeError { offset: self.offset + delta, ..self }
    }

    fn at(self, ptr: u32) -> Error {
        Error::Usage(format!("invalid guest value at {:#x}: {}", u64::from(ptr) + self.offset as u64, self.message))
    }
}

/// Plain data that lives in guest memory with a fixed little-endian C layout: integers,
/// floats, `bool` (one byte, 0 or 1), arrays of these, and structs declared with
/// [`guest_struct!`](crate::guest_struct). No `unsafe`: values are encoded field by field.
///
/// ```
/// use wisp::GuestValue;
/// let mut bytes = [0u8; 8];
/// [1u16, 2, 3, 0xFFFF].encode(&mut bytes);
/// assert_eq!(bytes, [1, 0, 2, 0, 3, 0, 0xff, 0xff]);
/// assert_eq!(<[u16; 4]>::decode(&bytes).unwrap(), [1, 2, 3, 0xFFFF]);
/// assert_eq!((<[u16; 4]>::SIZE, <[u16; 4]>::ALIGN), (8, 2));
/// ```
pub trait GuestValue: Sized {
    /// Size in bytes, trailing padding included (a multiple of `ALIGN`).
    const SIZE: usize;
    /// Alignment in bytes.
    const ALIGN: usize;
    /// Reads a value from exactly `SIZE` bytes.
    fn decode(bytes: &[u8]) -> std::result::Result<Self, DecodeError>;
    /// Writes the value into exactly `SIZE` bytes (padding is left as it was).
    fn encode(&self, out: &mut [u8]);
}

macro_rules! guest_value_num {
    ($($t:ty),*) => {$(
        impl GuestValue for $t {
            const SIZE: usize = std::mem::size_of::<$t>();
            const ALIGN: usize = std::mem::size_of::<$t>();
            fn decode(bytes: &[u8]) -> std::result::Result<Self, DecodeError> {
                let mut b = [0u8; std::mem::size_of::<$t>()];
                b.copy_from_slice(&bytes[..Self::SIZE]);
                Ok(<$t>::from_le_bytes(b))
            }
            fn encode(&self, out: &mut [u8]) {
                out[..Self::SIZE].copy_from_slice(&self.to_le_bytes());
            }
        }
    )*};
}

guest_value_num!(u8, i8, u16, i16, u32, i32, u64, i64, f32, f64);

impl GuestValue for bool {
    const SIZE: usize = 1;
    const ALIGN: usize = 1;
    fn decode(bytes: &[u8]) -> std::result::Result<Self, DecodeError> {
        match bytes[0] {
            0 => Ok(false),
            1 => Ok(true),
            b => Err(DecodeError::new(0, format!("byte {b:#04x} is not a bool"))),
        }
    }
    fn encode(&self, out: &mut [u8]) {
        out[0] = u8::from(*self);
    }
}

impl<T: GuestValue, const N: usize> GuestValue for [T; N] {
    const SIZE: usize = T::SIZE * N;
    const ALIGN: usize = T::ALIGN;
    fn decode(bytes: &[u8]) -> std::result::Result<Self, DecodeError> {
        let mut items = Vec::with_capacity(N);
        for i in 0..N {
            let at = i * T::SIZE;
            items.push(T::decode(&bytes[at..at + T::SIZE]).map_err(|e| e.shifted(at))?);
        }
        match items.try_into() {
            Ok(a) => Ok(a),
            Err(_) => Err(DecodeError::new(0, "array length")),
        }
    }
    fn encode(&self, out: &mut [u8]) {
        for (i, v) in self.iter().enumerate() {
            let at = i * T::SIZE;
            v.encode(&mut out[at..at + T::SIZE]);
        }
    }
}

/// `offset` rounded up to a multiple of `align` (a power of two).
#[doc(hidden)]
pub const fn align_up(offset: usize, align: usize) -> usize {
    (offset + align - 1) & !(align - 1)
}

/// Declares a struct and implements [`GuestValue`] for it with C layout rules (each field at
/// the next multiple of its alignment, the size rounded up to the largest alignment), the
/// layout of Go's `structs.HostLayout` and of C's `#[repr(C)]`. Fields may be any
/// `GuestValue`: numbers, `bool`, arrays, other guest structs. See [`Memory::read_value`].
#[macro_export]
macro_rules! guest_struct {
    ($(#[$meta:meta])* $vis:vis struct $name:ident { $($(#[$fmeta:meta])* $fvis:vis $field:ident : $ty:ty),* $(,)? }) => {
        $(#[$meta])*
        $vis struct $name { $($(#[$fmeta])* $fvis $field: $ty),* }

        impl $crate::GuestValue for $name {
            const ALIGN: usize = {
                let mut a = 1;
                $( if <$ty as $crate::GuestValue>::ALIGN > a { a = <$ty as $crate::GuestValue>::ALIGN; } )*
                a
            };
            const SIZE: usize = {
                let mut off = 0;
                $( off = $crate::reactor_align_up(off, <$ty as $crate::GuestValue>::ALIGN)
                    + <$ty as $crate::GuestValue>::SIZE; )*
                $crate::reactor_align_up(off, <Self as $crate::GuestValue>::ALIGN)
            };
            fn decode(bytes: &[u8]) -> ::std::result::Result<Self, $crate::DecodeError> {
                let mut off = 0;
                $(
                    off = $crate::reactor_align_up(off, <$ty as $crate::GuestValue>::ALIGN);
                    let end = off + <$ty as $crate::GuestValue>::SIZE;
                    let $field = <$ty as $crate::GuestValue>::decode(&bytes[off..end])
                        .map_err(|e| e.shifted(off))?;
                    off = end;
                )*
                let _ = off;
                Ok($name { $($field),* })
            }
            fn encode(&self, out: &mut [u8]) {
                let mut off = 0;
                $(
                    off = $crate::reactor_align_up(off, <$ty as $crate::GuestValue>::ALIGN);
                    let end = off + <$ty as $crate::GuestValue>::SIZE;
                    <$ty as $crate::GuestValue>::encode(&self.$field, &mut out[off..end]);
                    off = end;
                )*
                let _ = off;
            }
        }
    };
}

/// A buffer the guest allocated: its address and length.
///
/// See [`GuestAlloc::alloc`]; `GuestBuf { ptr, len }` packs with [`pack_ptr_len`].
///
/// ```
/// let buf = wisp::GuestBuf { ptr: 0x1000, len: 5 };
/// assert_eq!(wisp::pack_ptr_len(buf.ptr, buf.len), 0x1000_0000_0005);
/// assert_eq!(wisp::unpack_ptr_len(0x1000_0000_0005), (0x1000, 5));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GuestBuf {
    /// Guest address of the first byte.
    pub ptr: u32,
    /// Length in bytes.
    pub len: u32,
}

/// The alloc/free convention of many reactors (the Go fixtures' `strings.wasm` among them):
/// the host calls the guest's `alloc(len) -> ptr`, writes its input there, passes
/// `(ptr, len)` to an export, gets back `ptr << 32 | len` of a result buffer the guest
/// allocated, reads it, and hands both buffers back with `free(ptr)`.
///
/// Calls made here are plain calls: for Go panics reported with their text, and the
/// instance retired after one, go through `wisp_wasi::GoReactor`.
///
/// ```
/// # fn main() -> wisp::Result<()> {
/// # let wasm = wast::parser::parse::<wast::Wat>(&wast::parser::ParseBuffer::new(r#"
/// #  (module (memory (export "memory") 1) (global $next (mut i32) (i32.const 1024))
/// #    (func (export "alloc") (param i32) (result i32) (local i32)
/// #      (local.set 1 (global.get $next))
/// #      (global.set $next (i32.add (global.get $next) (local.get 0))) (local.get 1))
/// #    (func (export "free") (param i32))
/// #    ;; echo: copies its input to a fresh buffer and returns it packed
/// #    (func (export "echo") (param i32 i32) (result i64) (local i32)
/// #      (local.set 2 (global.get $next))
/// #      (global.set $next (i32.add (global.get $next) (local.get 1)))
/// #      (memory.copy (local.get 2) (local.get 0) (local.get 1))
/// #      (i64.or (i64.shl (i64.extend_i32_u (local.get 2)) (i64.const 32)) (i64.extend_i32_u (local.get 1)))))
/// # "#).unwrap()).unwrap().encode().unwrap();
/// let engine = wisp::Engine::default();
/// let module = wisp::Module::new(&engine, &wasm)?;
/// let mut store = wisp::Store::new(&engine, ());
/// let instance = wisp::Linker::new(&engine).instantiate(&mut store, &module)?;
/// instance.initialize_reactor(&mut store)?;
///
/// let abi = wisp::GuestAlloc::new(&store, &instance)?;
/// let echo = instance.reactor_typed_func::<(u32, u32), u64>(&store, "echo")?;
/// assert_eq!(abi.call_str(&mut store, &echo, "héllo")?, "héllo");
/// # Ok(()) }
/// ```
#[derive(Clone, Copy)]
pub struct GuestAlloc {
    memory: Memory,
    alloc: TypedFunc<u32, u32>,
    free: Option<TypedFunc<u32, ()>>,
}

impl std::fmt::Debug for GuestAlloc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GuestAlloc")
            .field("memory", &self.memory)
            .field("free", &self.free.is_some())
            .finish_non_exhaustive()
    }
}

impl GuestAlloc {
    /// Uses the exports `memory`, `alloc: (i32) -> i32` and `free: (i32) -> ()`.
    pub fn new(store: impl AsContext, instance: &Instance) -> Result<Self> {
        Self::with_names(store, instance, "memory", "alloc", Some("free"))
    }

    /// Uses exports of other names; without `free`, buffers are never handed back.
    pub fn with_names(
        store: impl AsContext,
        instance: &Instance,
        memory: &str,
        alloc: &str,
        free: Option<&str>,
    ) -> Result<Self> {
        let mem = instance
            .get_memory(&store, memory)
            .ok_or_else(|| Error::UnknownExport(format!("no exported memory named `{memory}`")))?;
        let alloc = instance.reactor_typed_func::<u32, u32>(&store, alloc)?;
        let free = match free {
            Some(f) => Some(instance.reactor_typed_func::<u32, ()>(&store, f)?),
            None => None,
        };
        Ok(GuestAlloc { memory: mem, alloc, free })
    }

    /// The exports `memory`, `alloc` and (if exported) `free` of the instance calling a host
    /// function, so that the host function can hand bytes back to its guest: it calls
    /// [`GuestAlloc::alloc_bytes`] with the `Caller` as the store, which runs the guest's
    /// `alloc` from inside the import, and returns where the bytes are.
    ///
    /// Unlike [`GuestAlloc::new`] this works while `_initialize` is still running (the guest
    /// itself is calling). Fails when the caller is not Wasm or lacks the exports. The
    /// lookups go by name: a host called often keeps the result, e.g. in its store's data.
    ///
    /// ```
    /// # fn main() -> wisp::Result<()> {
    /// # let wasm = wast::parser::parse::<wast::Wat>(&wast::parser::ParseBuffer::new(r#"
    /// #  (module (import "host" "name" (func $name (result i64)))
    /// #    (memory (export "memory") 1) (global $next (mut i32) (i32.const 1024))
    /// #    (func (export "alloc") (param i32) (result i32) (local i32)
    /// #      (local.set 1 (global.get $next))
    /// #      (global.set $next (i32.add (global.get $next) (local.get 0))) (local.get 1))
    /// #    ;; name_len: calls the host's `name` and returns the length of what it got
    /// #    (func (export "name_len") (result i32) (i32.wrap_i64 (call $name))))
    /// # "#).unwrap()).unwrap().encode().unwrap();
    /// let engine = wisp::Engine::default();
    /// let module = wisp::Module::new(&engine, &wasm)?;
    /// let mut linker = wisp::Linker::new(&engine);
    /// // `name() -> ptr << 32 | len`: the host's name, in a buffer from the guest's `alloc`.
    /// linker.func_wrap("host", "name", |mut caller: wisp::Caller<'_, ()>| -> wisp::Result<u64> {
    ///     let abi = wisp::GuestAlloc::from_caller(&caller)?;
    ///     let buf = abi.alloc_bytes(&mut caller, b"wisp host")?;
    ///     Ok(wisp::pack_ptr_len(buf.ptr, buf.len))
    /// })?;
    /// let mut store = wisp::Store::new(&engine, ());
    /// let instance = linker.instantiate(&mut store, &module)?;
    /// let name_len = instance.get_typed_func::<(), i32>(&store, "name_len")?;
    /// assert_eq!(name_len.call(&mut store, ())?, 9);
    /// # Ok(()) }
    /// ```
    pub fn from_caller<T>(caller: &crate::Caller<'_, T>) -> Result<Self> {
        let instance = caller
            .instance()
            .ok_or_else(|| Error::Usage("GuestAlloc::from_caller: the caller is not a Wasm instance".into()))?;
        let mem = instance
            .get_memory(caller, "memory")
            .ok_or_else(|| Error::UnknownExport("the calling instance exports no memory named `memory`".into()))?;
        let alloc = instance.get_typed_func::<u32, u32>(caller, "alloc")?;
        let free = match instance.get_func(caller, "free") {
            Some(f) => Some(f.typed::<u32, ()>(caller)?),
            None => None,
        };
        Ok(GuestAlloc { memory: mem, alloc, free })
    }

    /// The guest's memory.
    pub fn memory(&self) -> Memory {
        self.memory
    }

    /// Asks the guest for `len` bytes.
    pub fn alloc(&self, mut store: impl AsContextMut, len: u32) -> Result<GuestBuf> {
        let ptr = self.alloc.call(&mut store, len)?;
        // A guest allocator that returns a buffer outside its memory is a guest bug; say so now.
        range(ptr, len.into(), self.memory.data_size(&store)?)?;
        Ok(GuestBuf { ptr, len })
    }

    /// Allocates a guest buffer holding `bytes`.
    pub fn alloc_bytes(&self, mut store: impl AsContextMut, bytes: &[u8]) -> Result<GuestBuf> {
        let len = u32::try_from(bytes.len())
            .map_err(|_| Error::Usage(format!("{} bytes do not fit a guest buffer", bytes.len())))?;
        let buf = self.alloc(&mut store, len)?;
        self.memory.write_bytes(&mut store, buf.ptr, bytes)?;
        Ok(buf)
    }

    /// Hands a buffer back (nothing happens without a `free` export).
    pub fn free(&self, mut store: impl AsContextMut, ptr: u32) -> Result<()> {
        match &self.free {
            Some(f) => f.call(&mut store, ptr),
            None => Ok(()),
        }
    }

    /// Reads the buffer a packed `ptr << 32 | len` result points at, then frees it (when
    /// `ptr` is not 0).
    pub fn take_packed(&self, mut store: impl AsContextMut, packed: u64) -> Result<Vec<u8>> {
        let bytes = self.memory.read_packed(&store, packed)?;
        let (ptr, _) = unpack_ptr_len(packed);
        if ptr != 0 {
            self.free(&mut store, ptr)?;
        }
        Ok(bytes)
    }

    /// The whole round trip for an export `(ptr, len) -> ptr << 32 | len`: the input is
    /// copied into a guest buffer, the export called, its result read, both buffers freed.
    pub fn call_bytes(
        &self,
        mut store: impl AsContextMut,
        func: &TypedFunc<(u32, u32), u64>,
        input: &[u8],
    ) -> Result<Vec<u8>> {
        let buf = self.alloc_bytes(&mut store, input)?;
        let packed = func.call(&mut store, (buf.ptr, buf.len))?;
        let out = self.take_packed(&mut store, packed)?;
        self.free(&mut store, buf.ptr)?;
        Ok(out)
    }

    /// [`GuestAlloc::call_bytes`] for text; the result must be UTF-8.
    pub fn call_str(&self, store: impl AsContextMut, func: &TypedFunc<(u32, u32), u64>, input: &str) -> Result<String> {
        let out = self.call_bytes(store, func, input.as_bytes())?;
        String::from_utf8(out).map_err(|e| Error::Usage(format!("guest result is not UTF-8: {}", e.utf8_error())))
    }
}

/// How many objects a store holds: a long-running host checks with it that repeated calls
/// leave nothing behind (calls into an instance allocate no store objects).
///
/// ```
/// let engine = wisp::Engine::default();
/// let module = wisp::Module::new(&engine, r#"(module (memory 1) (func (export "f") (result i32) (i32.const 1)))"#)?;
/// let mut store = wisp::Store::new(&engine, ());
/// let instance = wisp::Linker::new(&engine).instantiate(&mut store, &module)?;
/// let f = instance.get_typed_func::<(), i32>(&store, "f")?;
/// let before = store.object_counts();
/// for _ in 0..1000 {
///     f.call(&mut store, ())?;
/// }
/// assert_eq!(store.object_counts(), before); // calls leave nothing behind
/// assert_eq!((before.instances, before.memories, before.memory_bytes), (1, 1, 65536));
/// # Ok::<(), wisp::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StoreCounts {
    /// Instances.
    pub instances: usize,
    /// Wasm and host functions.
    pub funcs: usize,
    /// Host functions.
    pub host_funcs: usize,
    /// Memories.
    pub memories: usize,
    /// Bytes of all memories together.
    pub memory_bytes: usize,
    /// Tables.
    pub tables: usize,
    /// Elements of all tables together.
    pub table_elements: usize,
    /// Globals.
    pub globals: usize,
    /// Objects behind `externref`s.
    pub externrefs: usize,
}

impl<T> crate::Store<T> {
    /// The store's object counts, see [`StoreCounts`].
    pub fn object_counts(&self) -> StoreCounts {
        let inner = &self.inner;
        StoreCounts {
            instances: inner.instances.len(),
            funcs: inner.funcs.len(),
            host_funcs: self.hosts.len(),
            memories: inner.memories.len(),
            memory_bytes: inner.memories.iter().map(|m| m.data.len()).sum(),
            tables: inner.tables.len(),
            table_elements: inner.tables.iter().map(|t| t.elements.len()).sum(),
            globals: inner.globals.len(),
            externrefs: inner.externs.len(),
        }
    }
}

//! The executor: one dispatch loop over wisp's bytecode.
//!
//! Hot state lives in locals the compiler keeps in registers: the instruction pointer, the
//! stack pointer, the frame base, the current instance's memory base and length, and its
//! globals. Wasm-to-Wasm calls push a [`Frame`] on wisp's own frame stack, never on the Rust
//! stack, so deep guest recursion ends in a clean trap. Host calls leave the loop: the caller
//! (generic over the store's data type) runs the host function and resumes the loop, which
//! keeps the loop itself monomorphic.

mod ops;

use crate::isa::Instr;
use crate::module::ModuleInner;
use crate::store::{FuncKind, InstanceEntity, StoreInner, PAGE_SIZE};
use crate::trap::{FrameInfo, Trap, TrapCode};
use ops::Slot;

/// A suspended or saved activation: where to continue and with which frame.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Frame {
    /// Next instruction to run.
    pub ip: *const Instr,
    /// First instruction of the function (branch targets are relative to it).
    pub code: *const Instr,
    /// Slot index of the frame base (first parameter).
    pub fp: usize,
    /// Store index of the instance.
    pub instance: u32,
    /// Defined-function index inside the instance's module (for backtraces).
    pub func: u32,
}

/// The value stack and the frame stack of a store.
pub(crate) struct Stack {
    slots: Vec<u64>,
    max_slots: usize,
    /// First free slot while no loop is running (or while one is suspended in a host call).
    pub sp: usize,
    /// Caller frames of running and suspended activations.
    pub frames: Vec<Frame>,
    max_frames: usize,
}

impl Stack {
    pub fn new(max_slots: usize, max_frames: usize) -> Self {
        Stack { slots: Vec::new(), max_slots, sp: 0, frames: Vec::new(), max_frames }
    }

    /// Allocates the value stack on first use; zeroed pages are mapped lazily by the OS.
    pub fn ensure(&mut self) {
        if self.slots.is_empty() {
            self.slots = vec![0u64; self.max_slots];
        }
    }

    pub fn slot(&self, i: usize) -> u64 {
        self.slots[i]
    }

    pub fn set_slot(&mut self, i: usize, v: u64) {
        self.slots[i] = v;
    }

    pub fn len(&self) -> usize {
        self.max_slots
    }
}

/// Why the loop stopped without trapping.
pub(crate) enum Exit {
    /// The entry function returned; its results start at the entry frame base.
    Return,
    /// A host function must run: `func` is its store index; its arguments are the top slots
    /// below `stack.sp`; `resume` continues the loop after it.
    Host { func: u32, caller_instance: u32, resume: Frame },
}

/// Prepares a call of Wasm function `func` (a store index) whose arguments are already in
/// the slots at `stack.sp - num_params ..`. Returns the frame to run.
pub(crate) fn enter(store: &mut StoreInner, instance: u32, def_index: u32) -> Result<Frame, Trap> {
    store.stack.ensure();
    let module: &ModuleInner = &store.instances[instance as usize].module.inner;
    let cf = module.compiled(def_index);
    let fp = store.stack.sp - cf.num_params as usize;
    if fp + cf.max_height as usize > store.stack.slots.len() || store.stack.frames.len() >= store.stack.max_frames {
        return Err(Trap::new(TrapCode::StackOverflow));
    }
    let base = fp + cf.num_params as usize;
    store.stack.slots[base..base + cf.num_locals as usize].fill(0);
    store.stack.sp = base + cf.num_locals as usize;
    let code = cf.code.as_ptr();
    Ok(Frame { ip: code, code, fp, instance, func: def_index })
}

/// Builds the backtrace: the frame that trapped, then its callers down to `base_depth`.
fn backtrace(store: &StoreInner, current: (u32, u32), base_depth: usize) -> Vec<FrameInfo> {
    let mut out = Vec::new();
    let mut push = |inst: u32, def: u32| {
        let m = &store.instances[inst as usize].module.inner;
        let func_index = m.num_imported_funcs + def;
        out.push(FrameInfo { func_index, func_name: m.func_names.get(&func_index).cloned() });
    };
    push(current.0, current.1);
    for f in store.stack.frames[base_depth..].iter().rev() {
        push(f.instance, f.func);
    }
    out
}

#[cold]
#[inline(never)]
fn trap(store: &StoreInner, code: TrapCode, current: (u32, u32), base_depth: usize) -> Trap {
    Trap::with_backtrace(code, backtrace(store, current, base_depth))
}

/// Runs from `frame` until the activation that started at frame depth `base_depth` returns,
/// a host function must be called, or a trap.
pub(crate) fn run(store: &mut StoreInner, frame: Frame, base_depth: usize) -> Result<Exit, Trap> {
    // SAFETY (for the whole loop): the code was produced by the translator from a validated
    // body, so every stack access stays inside the frame whose `max_height` was checked
    // against the stack's size when the frame was entered, every branch target is inside the
    // function's code, and every local, global, table, function and type index is in range
    // for the instance the code runs in. Memory and table accesses are bounds-checked here.
    unsafe { run_inner(store, frame, base_depth) }
}

struct Mem {
    base: *mut u8,
    len: usize,
}

#[inline(always)]
unsafe fn load_mem(store: &mut StoreInner, inst: *const InstanceEntity) -> Mem {
    match (&*inst).memories.first() {
        Some(&m) => {
            let mem = &mut store.memories[m as usize];
            Mem { base: mem.data.as_mut_ptr(), len: mem.data.len() }
        }
        None => Mem { base: std::ptr::null_mut(), len: 0 },
    }
}

/// Effective address of an access of `size` bytes, or `None` when out of bounds.
#[inline(always)]
fn ea(addr: u64, offset: u32, size: usize, len: usize) -> Option<usize> {
    let start = (addr as u32 as u64) + offset as u64;
    if start + size as u64 <= len as u64 {
        Some(start as usize)
    } else {
        None
    }
}

unsafe fn run_inner(store: &mut StoreInner, frame: Frame, base_depth: usize) -> Result<Exit, Trap> {
    let slots: *mut u64 = store.stack.slots.as_mut_ptr();
    let mut ip = frame.ip;
    let mut code = frame.code;
    let mut fp: *mut u64 = slots.add(frame.fp);
    let mut sp: *mut u64 = slots.add(store.stack.sp);
    let mut inst_idx = frame.instance;
    let mut func = frame.func;
    let mut inst: *const InstanceEntity = &*store.instances[inst_idx as usize];
    let mut module: *const ModuleInner = &*(&*inst).module.inner;
    let mut globals: *const *mut u64 = (&*inst).global_ptrs.as_ptr();
    let mut mem = load_mem(store, inst);

    macro_rules! trap {
        ($code:expr) => {{
            store.stack.sp = sp.offset_from(slots) as usize;
            return Err(trap(store, $code, (inst_idx, func), base_depth));
        }};
    }
    macro_rules! pop {
        () => {{
            sp = sp.sub(1);
            *sp
        }};
        ($t:ty) => {{
            sp = sp.sub(1);
            <$t as Slot>::from_slot(*sp)
        }};
    }
    macro_rules! push {
        ($v:expr) => {{
            *sp = Slot::to_slot($v);
            sp = sp.add(1);
        }};
    }
    macro_rules! top {
        () => {
            *sp.sub(1)
        };
    }
    macro_rules! unop {
        ($t:ty, $f:expr) => {{
            let a = <$t as Slot>::from_slot(top!());
            top!() = Slot::to_slot($f(a));
        }};
    }
    macro_rules! binop {
        ($t:ty, $f:expr) => {{
            let b = pop!($t);
            let a = <$t as Slot>::from_slot(top!());
            top!() = Slot::to_slot($f(a, b));
        }};
    }
    macro_rules! binop_trap {
        ($t:ty, $f:expr) => {{
            let b = pop!($t);
            let a = <$t as Slot>::from_slot(top!());
            match $f(a, b) {
                Ok(v) => top!() = Slot::to_slot(v),
                Err(c) => trap!(c),
            }
        }};
    }
    macro_rules! unop_trap {
        ($t:ty, $f:expr) => {{
            let a = <$t as Slot>::from_slot(top!());
            match $f(a) {
                Ok(v) => top!() = Slot::to_slot(v),
                Err(c) => trap!(c),
            }
        }};
    }
    macro_rules! load {
        ($offset:expr, $n:literal, $conv:expr) => {{
            let addr = top!();
            match ea(addr, $offset, $n, mem.len) {
                Some(a) => {
                    let bytes = std::ptr::read_unaligned(mem.base.add(a) as *const [u8; $n]);
                    top!() = Slot::to_slot($conv(bytes));
                }
                None => trap!(TrapCode::MemoryOutOfBounds),
            }
        }};
    }
    macro_rules! store_mem {
        ($offset:expr, $n:literal, $bytes:expr) => {{
            let v = pop!();
            let addr = pop!();
            match ea(addr, $offset, $n, mem.len) {
                Some(a) => {
                    let b: [u8; $n] = $bytes(v);
                    std::ptr::write_unaligned(mem.base.add(a) as *mut [u8; $n], b);
                }
                None => trap!(TrapCode::MemoryOutOfBounds),
            }
        }};
    }
    macro_rules! jump {
        ($target:expr) => {{
            ip = code.add($target as usize);
        }};
    }
    /// Keeps the top `keep` slots and discards the `drop` below them.
    macro_rules! drop_keep {
        ($drop:expr, $keep:expr) => {{
            let (d, k) = ($drop as usize, $keep as usize);
            if d != 0 {
                std::ptr::copy(sp.sub(k), sp.sub(k + d), k);
                sp = sp.sub(d);
            }
        }};
    }
    /// Switches the registers to another instance after a call or return crosses instances.
    macro_rules! switch_instance {
        ($idx:expr) => {{
            inst_idx = $idx;
            inst = &*store.instances[inst_idx as usize];
            module = &*(&*inst).module.inner;
            globals = (&*inst).global_ptrs.as_ptr();
            mem = load_mem(store, inst);
        }};
    }
    /// Calls defined function `def` of instance `target` (the arguments are on the stack).
    macro_rules! call_wasm {
        ($target:expr, $def:expr) => {{
            let target: u32 = $target;
            let def: u32 = $def;
            let target_module: &ModuleInner =
                if target == inst_idx { &*module } else { &store.instances[target as usize].module.inner };
            let cf: *const crate::translate::CompiledFunc = &**target_module.compiled(def);
            let cf = &*cf;
            let new_fp = sp.sub(cf.num_params as usize);
            if store.stack.frames.len() >= store.stack.max_frames
                || new_fp.offset_from(slots) as usize + cf.max_height as usize > store.stack.slots.len()
            {
                trap!(TrapCode::StackOverflow);
            }
            store.stack.frames.push(Frame { ip, code, fp: fp.offset_from(slots) as usize, instance: inst_idx, func });
            if target != inst_idx {
                switch_instance!(target);
            }
            for i in 0..cf.num_locals as usize {
                *sp.add(i) = 0;
            }
            sp = sp.add(cf.num_locals as usize);
            fp = new_fp;
            code = cf.code.as_ptr();
            ip = code;
            func = def;
        }};
    }
    /// Calls store function `f`: Wasm in this loop, host functions outside it.
    macro_rules! call_store_func {
        ($f:expr) => {{
            let f: u32 = $f;
            match store.funcs[f as usize].kind {
                FuncKind::Wasm { instance, def_index } => call_wasm!(instance, def_index),
                FuncKind::Host { .. } => {
                    store.stack.sp = sp.offset_from(slots) as usize;
                    let resume = Frame { ip, code, fp: fp.offset_from(slots) as usize, instance: inst_idx, func };
                    return Ok(Exit::Host { func: f, caller_instance: inst_idx, resume });
                }
            }
        }};
    }

    loop {
        let instr = *ip;
        ip = ip.add(1);
        match instr {
            Instr::Unreachable => trap!(TrapCode::Unreachable),
            Instr::Nop => {}
            Instr::Br { target } => jump!(target),
            Instr::BrAdjust { target, drop, keep } => {
                drop_keep!(drop, keep);
                jump!(target);
            }
            Instr::BrIfNez { target } => {
                if pop!(u32) != 0 {
                    jump!(target);
                }
            }
            Instr::BrIfEqz { target } => {
                if pop!(u32) == 0 {
                    jump!(target);
                }
            }
            Instr::BrIfNezAdjust { target, drop, keep } => {
                if pop!(u32) != 0 {
                    drop_keep!(drop, keep);
                    jump!(target);
                }
            }
            Instr::BrTable { len } => {
                let i = pop!(u32).min(len);
                if let Instr::BrTableTarget { target, drop, keep } = *ip.add(i as usize) {
                    drop_keep!(drop, keep);
                    jump!(target);
                }
            }
            Instr::BrTableTarget { .. } => {}
            Instr::Return { keep } => {
                let k = keep as usize;
                std::ptr::copy(sp.sub(k), fp, k);
                sp = fp.add(k);
                if store.stack.frames.len() == base_depth {
                    store.stack.sp = sp.offset_from(slots) as usize;
                    return Ok(Exit::Return);
                }
                let f = store.stack.frames.pop().expect("a caller frame above the base");
                ip = f.ip;
                code = f.code;
                fp = slots.add(f.fp);
                func = f.func;
                if f.instance != inst_idx {
                    switch_instance!(f.instance);
                } else {
                    // The callee may have grown the memory.
                    mem = load_mem(store, inst);
                }
            }
            Instr::Call { func: def } => call_wasm!(inst_idx, def),
            Instr::CallImm { func: def, value } => {
                push!(value);
                call_wasm!(inst_idx, def)
            }
            Instr::CallImport { func: f } => {
                let sf = *(&*inst).funcs.get_unchecked(f as usize);
                call_store_func!(sf);
            }
            Instr::CallIndirect { type_id, table } => {
                let i = pop!(u32) as usize;
                let t = &store.tables[*(&*inst).tables.get_unchecked(table as usize) as usize];
                let Some(&r) = t.elements.get(i) else { trap!(TrapCode::UndefinedElement) };
                if r == 0 {
                    trap!(TrapCode::IndirectCallToNull);
                }
                let sf = (r - 1) as u32;
                if store.funcs[sf as usize].type_id != type_id {
                    trap!(TrapCode::BadSignature);
                }
                call_store_func!(sf);
            }
            Instr::Drop => sp = sp.sub(1),
            Instr::Select => {
                let c = pop!(u32);
                let b = pop!();
                if c == 0 {
                    top!() = b;
                }
            }
            Instr::LocalGet { index } => push!(*fp.add(index as usize)),
            Instr::LocalSet { index } => *fp.add(index as usize) = pop!(),
            Instr::LocalTee { index } => *fp.add(index as usize) = top!(),
            Instr::GlobalGet { index } => push!(**globals.add(index as usize)),
            Instr::GlobalSet { index } => **globals.add(index as usize) = pop!(),
            Instr::Const32 { value } => push!(value),
            Instr::Const64 { value } => push!(value),
            Instr::I32Load { offset } => load!(offset, 4, u32::from_le_bytes),
            Instr::I64Load { offset } => load!(offset, 8, u64::from_le_bytes),
            Instr::F32Load { offset } => load!(offset, 4, u32::from_le_bytes),
            Instr::F64Load { offset } => load!(offset, 8, u64::from_le_bytes),
            Instr::I32Load8S { offset } => load!(offset, 1, |b: [u8; 1]| b[0] as i8 as i32),
            Instr::I32Load8U { offset } => load!(offset, 1, |b: [u8; 1]| b[0] as u32),
            Instr::I32Load16S { offset } => load!(offset, 2, |b| i16::from_le_bytes(b) as i32),
            Instr::I32Load16U { offset } => load!(offset, 2, |b| u16::from_le_bytes(b) as u32),
            Instr::I64Load8S { offset } => load!(offset, 1, |b: [u8; 1]| b[0] as i8 as i64),
            Instr::I64Load8U { offset } => load!(offset, 1, |b: [u8; 1]| b[0] as u64),
            Instr::I64Load16S { offset } => load!(offset, 2, |b| i16::from_le_bytes(b) as i64),
            Instr::I64Load16U { offset } => load!(offset, 2, |b| u16::from_le_bytes(b) as u64),
            Instr::I64Load32S { offset } => load!(offset, 4, |b| i32::from_le_bytes(b) as i64),
            Instr::I64Load32U { offset } => load!(offset, 4, |b| u32::from_le_bytes(b) as u64),
            Instr::I32Store { offset } | Instr::F32Store { offset } => {
                store_mem!(offset, 4, |v: u64| (v as u32).to_le_bytes())
            }
            Instr::I64Store { offset } | Instr::F64Store { offset } => store_mem!(offset, 8, |v: u64| v.to_le_bytes()),
            Instr::I32Store8 { offset } | Instr::I64Store8 { offset } => store_mem!(offset, 1, |v: u64| [v as u8]),
            Instr::I32Store16 { offset } | Instr::I64Store16 { offset } => {
                store_mem!(offset, 2, |v: u64| (v as u16).to_le_bytes())
            }
            Instr::I64Store32 { offset } => store_mem!(offset, 4, |v: u64| (v as u32).to_le_bytes()),
            Instr::MemorySize => push!((mem.len / PAGE_SIZE) as u32),
            Instr::MemoryGrow => {
                let delta = pop!(u32);
                let m = *(&*inst).memories.get_unchecked(0) as usize;
                let r = match store.memories[m].grow(delta as u64) {
                    Some(old) => old as u32,
                    None => u32::MAX,
                };
                mem = load_mem(store, inst);
                push!(r);
            }
            Instr::MemoryInit { data } => {
                let n = pop!(u32) as usize;
                let s = pop!(u32) as usize;
                let d = pop!(u32) as usize;
                let (start, len) = (&*inst).datas[data as usize];
                if s.checked_add(n).is_none_or(|e| e > len) || d.checked_add(n).is_none_or(|e| e > mem.len) {
                    trap!(TrapCode::MemoryOutOfBounds);
                }
                let src = &(&*module).bytes[start + s..start + s + n];
                std::ptr::copy_nonoverlapping(src.as_ptr(), mem.base.add(d), n);
            }
            Instr::DataDrop { data } => {
                let inst_mut = &mut *store.instances[inst_idx as usize];
                inst_mut.datas[data as usize].1 = 0;
            }
            Instr::MemoryCopy => {
                let n = pop!(u32) as usize;
                let s = pop!(u32) as usize;
                let d = pop!(u32) as usize;
                if s + n > mem.len || d + n > mem.len {
                    trap!(TrapCode::MemoryOutOfBounds);
                }
                std::ptr::copy(mem.base.add(s), mem.base.add(d), n);
            }
            Instr::MemoryFill => {
                let n = pop!(u32) as usize;
                let v = pop!(u32) as u8;
                let d = pop!(u32) as usize;
                if d + n > mem.len {
                    trap!(TrapCode::MemoryOutOfBounds);
                }
                std::ptr::write_bytes(mem.base.add(d), v, n);
            }
            Instr::TableGet { table } => {
                let i = pop!(u32) as usize;
                let t = &store.tables[*(&*inst).tables.get_unchecked(table as usize) as usize];
                match t.elements.get(i) {
                    Some(&r) => push!(r),
                    None => trap!(TrapCode::TableOutOfBounds),
                }
            }
            Instr::TableSet { table } => {
                let r = pop!();
                let i = pop!(u32) as usize;
                let t = &mut store.tables[*(&*inst).tables.get_unchecked(table as usize) as usize];
                match t.elements.get_mut(i) {
                    Some(e) => *e = r,
                    None => trap!(TrapCode::TableOutOfBounds),
                }
            }
            Instr::TableSize { table } => {
                let t = &store.tables[*(&*inst).tables.get_unchecked(table as usize) as usize];
                push!(t.elements.len() as u32);
            }
            Instr::TableGrow { table } => {
                let n = pop!(u32);
                let init = pop!();
                let t = &mut store.tables[*(&*inst).tables.get_unchecked(table as usize) as usize];
                let r = t.grow(n as u64, init).map_or(u32::MAX, |old| old as u32);
                push!(r);
            }
            Instr::TableFill { table } => {
                let n = pop!(u32) as usize;
                let r = pop!();
                let d = pop!(u32) as usize;
                let t = &mut store.tables[*(&*inst).tables.get_unchecked(table as usize) as usize];
                if d + n > t.elements.len() {
                    trap!(TrapCode::TableOutOfBounds);
                }
                t.elements[d..d + n].fill(r);
            }
            Instr::TableCopy { dst, src } => {
                let n = pop!(u32) as usize;
                let s = pop!(u32) as usize;
                let d = pop!(u32) as usize;
                let ti_d = *(&*inst).tables.get_unchecked(dst as usize) as usize;
                let ti_s = *(&*inst).tables.get_unchecked(src as usize) as usize;
                let (ls, ld) = (store.tables[ti_s].elements.len(), store.tables[ti_d].elements.len());
                if s + n > ls || d + n > ld {
                    trap!(TrapCode::TableOutOfBounds);
                }
                if ti_d == ti_s {
                    store.tables[ti_d].elements.copy_within(s..s + n, d);
                } else {
                    let tmp: Vec<u64> = store.tables[ti_s].elements[s..s + n].to_vec();
                    store.tables[ti_d].elements[d..d + n].copy_from_slice(&tmp);
                }
            }
            Instr::TableInit { table, elem } => {
                let n = pop!(u32) as usize;
                let s = pop!(u32) as usize;
                let d = pop!(u32) as usize;
                let ti = *(&*inst).tables.get_unchecked(table as usize) as usize;
                let seg = &(&*inst).elems[elem as usize];
                let t = &mut store.tables[ti];
                if s + n > seg.len() || d + n > t.elements.len() {
                    trap!(TrapCode::TableOutOfBounds);
                }
                t.elements[d..d + n].copy_from_slice(&seg[s..s + n]);
            }
            Instr::ElemDrop { elem } => {
                let inst_mut = &mut *store.instances[inst_idx as usize];
                inst_mut.elems[elem as usize] = Box::default();
            }
            Instr::RefNull => push!(0u64),
            Instr::RefIsNull => top!() = (top!() == 0) as u64,
            Instr::RefFunc { func: f } => push!(*(&*inst).funcs.get_unchecked(f as usize) as u64 + 1),

            Instr::I32AddImm { value } => unop!(u32, |a: u32| a.wrapping_add(value)),
            Instr::LocalGetAddImm { index, value } => push!((*fp.add(index as usize) as u32).wrapping_add(value)),
            Instr::LocalAddImmTeeGlobal { index, delta, global } => {
                let v = (*fp.add(index as usize) as u32).wrapping_add(delta) as u64;
                *fp.add(index as usize) = v;
                **globals.add(global as usize) = v;
            }
            Instr::GlobalGetLocalSet { global, index } => *fp.add(index as usize) = **globals.add(global as usize),
            Instr::LocalSetImm32 { index, value } => *fp.add(index as usize) = value as u64,
            Instr::LocalSetImm64 { index, value } => *fp.add(index as usize) = value as i32 as i64 as u64,
            Instr::I32LoadLocal { index, offset } => {
                push!(*fp.add(index as usize));
                load!(offset, 4, u32::from_le_bytes)
            }
            Instr::I64LoadLocal { index, offset } => {
                push!(*fp.add(index as usize));
                load!(offset, 8, u64::from_le_bytes)
            }
            Instr::I32StoreLocalLocal { addr, value, offset } => {
                push!(*fp.add(addr as usize));
                push!(*fp.add(value as usize));
                store_mem!(offset, 4, |v: u64| (v as u32).to_le_bytes())
            }
            Instr::I64StoreLocalLocal { addr, value, offset } => {
                push!(*fp.add(addr as usize));
                push!(*fp.add(value as usize));
                store_mem!(offset, 8, |v: u64| v.to_le_bytes())
            }
            Instr::I64StoreLocalImm { addr, offset, value } => {
                push!(*fp.add(addr as usize));
                push!(value as i32 as i64 as u64);
                store_mem!(offset, 8, |v: u64| v.to_le_bytes())
            }
            Instr::GlobalGetLocalSetBrIfNez { global, index, target } => {
                *fp.add(index as usize) = **globals.add(global as usize);
                if pop!(u32) != 0 {
                    jump!(target);
                }
            }
            Instr::LocalSetImmBr { index, value, target } => {
                *fp.add(index as usize) = value as u64;
                jump!(target);
            }
            Instr::I64LoadLocalAddImm { index, imm, offset } => {
                push!((*fp.add(index as usize) as u32).wrapping_add(imm));
                load!(offset, 8, u64::from_le_bytes)
            }
            Instr::I64StoreLocalAddImmLocal { index, imm, value } => {
                push!((*fp.add(index as usize) as u32).wrapping_add(imm));
                push!(*fp.add(value as usize));
                store_mem!(0, 8, |v: u64| v.to_le_bytes())
            }
            Instr::BrIfI64Eqz { target } => {
                if pop!(u64) == 0 {
                    jump!(target);
                }
            }
            Instr::BrIfI64Nez { target } => {
                if pop!(u64) != 0 {
                    jump!(target);
                }
            }

            Instr::I32Eqz => unop!(u32, |a| (a == 0) as u32),
            Instr::I32Eq => binop!(u32, |a, b| (a == b) as u32),
            Instr::I32Ne => binop!(u32, |a, b| (a != b) as u32),
            Instr::I32LtS => binop!(i32, |a, b| (a < b) as i32),
            Instr::I32LtU => binop!(u32, |a, b| (a < b) as u32),
            Instr::I32GtS => binop!(i32, |a, b| (a > b) as i32),
            Instr::I32GtU => binop!(u32, |a, b| (a > b) as u32),
            Instr::I32LeS => binop!(i32, |a, b| (a <= b) as i32),
            Instr::I32LeU => binop!(u32, |a, b| (a <= b) as u32),
            Instr::I32GeS => binop!(i32, |a, b| (a >= b) as i32),
            Instr::I32GeU => binop!(u32, |a, b| (a >= b) as u32),
            Instr::I64Eqz => unop!(u64, |a| (a == 0) as u32),
            Instr::I64Eq => binop!(u64, |a, b| (a == b) as u32),
            Instr::I64Ne => binop!(u64, |a, b| (a != b) as u32),
            Instr::I64LtS => binop!(i64, |a, b| (a < b) as u32),
            Instr::I64LtU => binop!(u64, |a, b| (a < b) as u32),
            Instr::I64GtS => binop!(i64, |a, b| (a > b) as u32),
            Instr::I64GtU => binop!(u64, |a, b| (a > b) as u32),
            Instr::I64LeS => binop!(i64, |a, b| (a <= b) as u32),
            Instr::I64LeU => binop!(u64, |a, b| (a <= b) as u32),
            Instr::I64GeS => binop!(i64, |a, b| (a >= b) as u32),
            Instr::I64GeU => binop!(u64, |a, b| (a >= b) as u32),
            Instr::F32Eq => binop!(f32, |a, b| (a == b) as u32),
            Instr::F32Ne => binop!(f32, |a, b| (a != b) as u32),
            Instr::F32Lt => binop!(f32, |a, b| (a < b) as u32),
            Instr::F32Gt => binop!(f32, |a, b| (a > b) as u32),
            Instr::F32Le => binop!(f32, |a, b| (a <= b) as u32),
            Instr::F32Ge => binop!(f32, |a, b| (a >= b) as u32),
            Instr::F64Eq => binop!(f64, |a, b| (a == b) as u32),
            Instr::F64Ne => binop!(f64, |a, b| (a != b) as u32),
            Instr::F64Lt => binop!(f64, |a, b| (a < b) as u32),
            Instr::F64Gt => binop!(f64, |a, b| (a > b) as u32),
            Instr::F64Le => binop!(f64, |a, b| (a <= b) as u32),
            Instr::F64Ge => binop!(f64, |a, b| (a >= b) as u32),

            Instr::I32Clz => unop!(u32, |a: u32| a.leading_zeros()),
            Instr::I32Ctz => unop!(u32, |a: u32| a.trailing_zeros()),
            Instr::I32Popcnt => unop!(u32, |a: u32| a.count_ones()),
            Instr::I32Add => binop!(u32, |a: u32, b| a.wrapping_add(b)),
            Instr::I32Sub => binop!(u32, |a: u32, b| a.wrapping_sub(b)),
            Instr::I32Mul => binop!(u32, |a: u32, b| a.wrapping_mul(b)),
            Instr::I32DivS => binop_trap!(i32, ops::i32_div_s),
            Instr::I32DivU => binop_trap!(u32, ops::i32_div_u),
            Instr::I32RemS => binop_trap!(i32, ops::i32_rem_s),
            Instr::I32RemU => binop_trap!(u32, ops::i32_rem_u),
            Instr::I32And => binop!(u32, |a, b| a & b),
            Instr::I32Or => binop!(u32, |a, b| a | b),
            Instr::I32Xor => binop!(u32, |a, b| a ^ b),
            Instr::I32Shl => binop!(u32, |a: u32, b| a.wrapping_shl(b)),
            Instr::I32ShrS => binop!(i32, |a: i32, b| a.wrapping_shr(b as u32)),
            Instr::I32ShrU => binop!(u32, |a: u32, b| a.wrapping_shr(b)),
            Instr::I32Rotl => binop!(u32, |a: u32, b| a.rotate_left(b)),
            Instr::I32Rotr => binop!(u32, |a: u32, b| a.rotate_right(b)),
            Instr::I64Clz => unop!(u64, |a: u64| a.leading_zeros() as u64),
            Instr::I64Ctz => unop!(u64, |a: u64| a.trailing_zeros() as u64),
            Instr::I64Popcnt => unop!(u64, |a: u64| a.count_ones() as u64),
            Instr::I64Add => binop!(u64, |a: u64, b| a.wrapping_add(b)),
            Instr::I64Sub => binop!(u64, |a: u64, b| a.wrapping_sub(b)),
            Instr::I64Mul => binop!(u64, |a: u64, b| a.wrapping_mul(b)),
            Instr::I64DivS => binop_trap!(i64, ops::i64_div_s),
            Instr::I64DivU => binop_trap!(u64, ops::i64_div_u),
            Instr::I64RemS => binop_trap!(i64, ops::i64_rem_s),
            Instr::I64RemU => binop_trap!(u64, ops::i64_rem_u),
            Instr::I64And => binop!(u64, |a, b| a & b),
            Instr::I64Or => binop!(u64, |a, b| a | b),
            Instr::I64Xor => binop!(u64, |a, b| a ^ b),
            Instr::I64Shl => binop!(u64, |a: u64, b| a.wrapping_shl(b as u32)),
            Instr::I64ShrS => binop!(i64, |a: i64, b| a.wrapping_shr(b as u32)),
            Instr::I64ShrU => binop!(u64, |a: u64, b| a.wrapping_shr(b as u32)),
            Instr::I64Rotl => binop!(u64, |a: u64, b| a.rotate_left((b & 63) as u32)),
            Instr::I64Rotr => binop!(u64, |a: u64, b| a.rotate_right((b & 63) as u32)),

            Instr::F32Abs => unop!(u32, |a: u32| a & 0x7fff_ffff),
            Instr::F32Neg => unop!(u32, |a: u32| a ^ 0x8000_0000),
            Instr::F32Ceil => unop!(f32, ops::f32_ceil),
            Instr::F32Floor => unop!(f32, ops::f32_floor),
            Instr::F32Trunc => unop!(f32, ops::f32_trunc),
            Instr::F32Nearest => unop!(f32, ops::f32_nearest),
            Instr::F32Sqrt => unop!(f32, f32::sqrt),
            Instr::F32Add => binop!(f32, |a, b| a + b),
            Instr::F32Sub => binop!(f32, |a, b| a - b),
            Instr::F32Mul => binop!(f32, |a, b| a * b),
            Instr::F32Div => binop!(f32, |a, b| a / b),
            Instr::F32Min => binop!(f32, ops::f32_min),
            Instr::F32Max => binop!(f32, ops::f32_max),
            Instr::F32Copysign => binop!(u32, |a: u32, b: u32| (a & 0x7fff_ffff) | (b & 0x8000_0000)),
            Instr::F64Abs => unop!(u64, |a: u64| a & 0x7fff_ffff_ffff_ffff),
            Instr::F64Neg => unop!(u64, |a: u64| a ^ 0x8000_0000_0000_0000),
            Instr::F64Ceil => unop!(f64, ops::f64_ceil),
            Instr::F64Floor => unop!(f64, ops::f64_floor),
            Instr::F64Trunc => unop!(f64, ops::f64_trunc),
            Instr::F64Nearest => unop!(f64, ops::f64_nearest),
            Instr::F64Sqrt => unop!(f64, f64::sqrt),
            Instr::F64Add => binop!(f64, |a, b| a + b),
            Instr::F64Sub => binop!(f64, |a, b| a - b),
            Instr::F64Mul => binop!(f64, |a, b| a * b),
            Instr::F64Div => binop!(f64, |a, b| a / b),
            Instr::F64Min => binop!(f64, ops::f64_min),
            Instr::F64Max => binop!(f64, ops::f64_max),
            Instr::F64Copysign => {
                binop!(u64, |a: u64, b: u64| (a & 0x7fff_ffff_ffff_ffff) | (b & 0x8000_0000_0000_0000))
            }

            // Not emitted by the translator (see `Slot`), kept for completeness.
            Instr::I32WrapI64 => unop!(u64, |a: u64| a as u32),
            Instr::I32TruncF32S => unop_trap!(f32, ops::i32_trunc_f32_s),
            Instr::I32TruncF32U => unop_trap!(f32, ops::i32_trunc_f32_u),
            Instr::I32TruncF64S => unop_trap!(f64, ops::i32_trunc_f64_s),
            Instr::I32TruncF64U => unop_trap!(f64, ops::i32_trunc_f64_u),
            Instr::I64ExtendI32S => unop!(i32, |a: i32| a as i64),
            Instr::I64ExtendI32U => unop!(u32, |a: u32| a as u64),
            Instr::I64TruncF32S => unop_trap!(f32, ops::i64_trunc_f32_s),
            Instr::I64TruncF32U => unop_trap!(f32, ops::i64_trunc_f32_u),
            Instr::I64TruncF64S => unop_trap!(f64, ops::i64_trunc_f64_s),
            Instr::I64TruncF64U => unop_trap!(f64, ops::i64_trunc_f64_u),
            Instr::F32ConvertI32S => unop!(i32, |a: i32| a as f32),
            Instr::F32ConvertI32U => unop!(u32, |a: u32| a as f32),
            Instr::F32ConvertI64S => unop!(i64, |a: i64| a as f32),
            Instr::F32ConvertI64U => unop!(u64, |a: u64| a as f32),
            Instr::F32DemoteF64 => unop!(f64, |a: f64| a as f32),
            Instr::F64ConvertI32S => unop!(i32, |a: i32| a as f64),
            Instr::F64ConvertI32U => unop!(u32, |a: u32| a as f64),
            Instr::F64ConvertI64S => unop!(i64, |a: i64| a as f64),
            Instr::F64ConvertI64U => unop!(u64, |a: u64| a as f64),
            Instr::F64PromoteF32 => unop!(f32, |a: f32| a as f64),
            // Slots hold raw bits, so reinterpretation moves nothing.
            Instr::I32ReinterpretF32 | Instr::F32ReinterpretI32 => {}
            Instr::I64ReinterpretF64 | Instr::F64ReinterpretI64 => {}
            Instr::I32Extend8S => unop!(u32, |a: u32| a as i8 as i32 as u32),
            Instr::I32Extend16S => unop!(u32, |a: u32| a as i16 as i32 as u32),
            Instr::I64Extend8S => unop!(u64, |a: u64| a as i8 as i64 as u64),
            Instr::I64Extend16S => unop!(u64, |a: u64| a as i16 as i64 as u64),
            Instr::I64Extend32S => unop!(u64, |a: u64| a as i32 as i64 as u64),
            // Rust's float-to-int `as` saturates and maps NaN to 0: exactly trunc_sat.
            Instr::I32TruncSatF32S => unop!(f32, |a: f32| a as i32),
            Instr::I32TruncSatF32U => unop!(f32, |a: f32| a as u32),
            Instr::I32TruncSatF64S => unop!(f64, |a: f64| a as i32),
            Instr::I32TruncSatF64U => unop!(f64, |a: f64| a as u32),
            Instr::I64TruncSatF32S => unop!(f32, |a: f32| a as i64),
            Instr::I64TruncSatF32U => unop!(f32, |a: f32| a as u64),
            Instr::I64TruncSatF64S => unop!(f64, |a: f64| a as i64),
            Instr::I64TruncSatF64U => unop!(f64, |a: f64| a as u64),
        }
    }
}

//! The semantics of every instruction that does not enter or leave a function, written once.
//!
//! `for_each_handler!` hands the list to a macro of the dispatch backend, which turns each entry
//! into a `match` arm (the portable loop) or into a function that tail-calls the next
//! instruction's handler (the threaded backend). Bodies reach interpreter state only through
//! macros each backend defines: `pop!`, `push!`, `top!`, `sp!`, `set_sp!`, `local!`, `global!`,
//! `jump!`, `trap!`, `br_table_entry!`, `mem_base!`, `mem_len!`, `reload_mem!`, `store!`,
//! `inst!`, `inst_idx!`, `module!`, `flush!`/`reload!` (write a cached top of stack to its
//! slot / read it back, around code that moves slots in memory), for calls `ret!`, `ret_imm!`,
//! `throw!` (leave the loop with an exception for `exec::catch`), `call_wasm!` (with a third argument, whether the callee may be entered past Go's resume
//! dispatch, `translate::idioms::ResumeEntry`), `tail_call_wasm!` (the callee's frame replaces
//! the running one), `call_store_func!`, and `grow_exit!` (leave for the store's limiter);
//! plus the helpers below built on them. The list's first tokens are the caller's (`$extra`),
//! so a backend can receive a `$` to define its own macros with.
//!
//! Those macros hold the executor's `unsafe` blocks, each with the invariant it relies on (see
//! `exec`'s module documentation), and give safe places and values: `local!(i) = v`,
//! `top!() = v` and `global!(i) = v` deref a `&mut` made in their own block. A body therefore
//! needs `unsafe` only for what no macro covers (the bulk memory copies below), and the
//! indices it hands a macro must be its instruction's immediates.

/// The instructions with their handler bodies. Entry syntax: `Variant { fields } => body,`.
/// The generated forms of every numeric and memory operator (`isa/generated.rs`) come first;
/// the hand-written instructions follow.
macro_rules! for_each_handler {
    ($m:ident $($extra:tt)*) => {
        generated_handlers! { $m ($($extra)*) {
            Return { keep } => ret!(keep),
            ReturnImm { value } => ret_imm!(value as u64),
            Call { func } => call_wasm!(inst_idx!(), func),
            CallImport { func } => {
                call_store_func!(store_func!(func))
            },
            CallIndirect { type_id, table } => call_store_func!(indirect_callee!(type_id, table)),
            ReturnCall { func } => tail_call_wasm!(inst_idx!(), func),
            ReturnCallImport { func } => tail_call_store_func!(store_func!(func)),
            ReturnCallIndirect { type_id, table } => tail_call_store_func!(indirect_callee!(type_id, table)),
            Unreachable => trap!(TrapCode::Unreachable),
            Throw { tag } => {
                let t = inst!().tags[tag as usize];
                let n = store!().tags[t as usize].ty.params().len();
                let mut payload = vec![0u64; n].into_boxed_slice();
                for v in payload.iter_mut().rev() {
                    *v = pop!();
                }
                let exn = store!().new_exn(t, payload);
                throw!(exn)
            },
            ThrowRef => {
                let r = pop!();
                if r == 0 {
                    trap!(TrapCode::NullExceptionReference);
                }
                throw!((r - 1) as u32)
            },
            TooLarge => trap!(TrapCode::FunctionTooLarge),
            ConsumeFuel { amount } => {
                let fuel = &mut store!().stack.fuel;
                let enough = *fuel >= amount as u64;
                if enough {
                    *fuel -= amount as u64;
                } else {
                    trap!(TrapCode::OutOfFuel);
                }
            },
            CheckInterrupt => {
                if store!().stack.interrupt.swap(false, std::sync::atomic::Ordering::Relaxed) {
                    trap!(TrapCode::Interrupted);
                }
            },
            BrTableTarget { target, drop, keep } => {
                let _ = (target, drop, keep);
            },
            Br { target } => jump!(target),
            BrAdjust { target, drop, keep } => {
                drop_keep!(drop, keep);
                jump!(target);
            },
            BrNezAdjust { target, drop, keep } => {
                if pop!(u32) != 0 {
                    drop_keep!(drop, keep);
                    jump!(target);
                }
            },
            BrTable { len } => {
                let (target, _, _) = br_table_entry!(pop!(u32), len);
                jump!(target);
            },
            BrTableLocal { index, len } => {
                let (target, _, _) = br_table_entry!(local!(index) as u32, len);
                jump!(target);
            },
            BrTableLoadScaled { index, shift, imm, len } => {
                let addr = (local!(index) as u32).wrapping_shl(shift as u32).wrapping_add(imm);
                let v: u64 = load_from!(addr as u64, 0, 4, ops::i32_load);
                let (target, _, _) = br_table_entry!(v as u32, len);
                jump!(target);
            },
            BrTableAdjust { len } => {
                let (target, drop, keep) = br_table_entry!(pop!(u32), len);
                drop_keep!(drop, keep);
                jump!(target);
            },
            BrTableLocalAdjust { index, len } => {
                let (target, drop, keep) = br_table_entry!(local!(index) as u32, len);
                drop_keep!(drop, keep);
                jump!(target);
            },
            Drop => {
                let _ = pop!();
            },
            LocalGet { index } => push!(local!(index)),
            LocalSet { index } => local!(index) = pop!(),
            LocalCopy { src, dst } => local!(dst) = local!(src),
            LocalSetImm { index, value } => local!(index) = value,
            LocalInsert { index, depth } => insert!(local!(index), depth),
            ConstInsert { value, depth } => insert!(value, depth),
            GlobalGet { index } => push!(global!(index)),
            GlobalGetSet { index, dst } => local!(dst) = global!(index),
            GlobalSet { index } => global!(index) = pop!(),
            GlobalSetLocal { index, src } => global!(index) = local!(src),
            GlobalSetImm { index, value } => global!(index) = value,
            SpAdjust { local, imm, global } => {
                let v = (local!(local) as u32).wrapping_add(imm) as u64;
                local!(local) = v;
                global!(global) = v;
            },
            CallImm { func, value } => {
                push!(value);
                // Resume point 0 is a call, not a resume: it may enter past the dispatch.
                call_wasm!(inst_idx!(), func, value == 0)
            },
            GoCall { local, global, func, ret } => {
                let sp = (local!(local) as u32).wrapping_sub(8) as u64;
                local!(local) = sp;
                global!(global) = sp;
                store_to!(sp, 0, 8, ops::i64_store, ret as u64);
                push!(0u32);
                call_wasm!(inst_idx!(), func, true)
            },
            I64CopyLL { src, dst, src_offset, dst_offset } => {
                let v: u64 = load_from!(local!(src), src_offset, 8, ops::i64_load);
                store_to!(local!(dst), dst_offset, 8, ops::i64_store, v);
            },
            I64CopyLA { src, dst, add, src_offset } => {
                let v: u64 = load_from!(local!(src), src_offset, 8, ops::i64_load);
                store_to!((local!(dst) as u32).wrapping_add(add) as u64, 0, 8, ops::i64_store, v);
            },
            I64LoadZeroBr { addr, offset, target } => {
                let v: u64 = load_from!(local!(addr), offset, 8, ops::i64_load);
                if v == 0 {
                    jump!(target);
                }
            },
            I64LoadNonZeroBr { addr, offset, target } => {
                let v: u64 = load_from!(local!(addr), offset, 8, ops::i64_load);
                if v != 0 {
                    jump!(target);
                }
            },
            StackGuardBr { local, global, offset, target } => {
                let guard: u64 = load_from!(global!(global) as u32 as u64, offset, 4, ops::i32_load);
                if local!(local) as u32 > guard as u32 {
                    jump!(target);
                }
            },
            GlobalGetSetBrNez { global, dst, target } => {
                local!(dst) = global!(global);
                if pop!(u32) != 0 {
                    jump!(target);
                }
            },
            LocalSetImmBr { index, value, target } => {
                local!(index) = value as u64;
                jump!(target);
            },
            Const32 { value } => push!(value),
            Const64 { value } => push!(value),
            MemorySize => push!((mem_len!() / PAGE_SIZE) as u32),
            MemoryGrow => {
                let delta = pop!(u32);
                let m = store_memory_0!();
                if delta != 0 && store!().limited {
                    grow_exit!(GrowKind::Memory, m, delta);
                }
                let r = match store!().memories[m].grow(delta as u64) {
                    Some(old) => old as u32,
                    None => u32::MAX,
                };
                reload_mem!();
                push!(r);
            },
            MemoryInit { data } => {
                let n = pop!(u32) as usize;
                let s = pop!(u32) as usize;
                let d = pop!(u32) as usize;
                let (start, len) = inst!().datas[data as usize];
                if !in_bounds(s, n, len) || !in_bounds(d, n, mem_len!()) {
                    trap!(TrapCode::MemoryOutOfBounds);
                }
                let src = &module!().bytes[start + s..start + s + n];
                let base = mem_base!();
                // SAFETY: `in_bounds` checked that `n` bytes from `d` lie inside the memory; the
                // source is a slice of the module's bytes, never inside a memory.
                unsafe { std::ptr::copy_nonoverlapping(src.as_ptr(), base.add(d), n) };
            },
            DataDrop { data } => {
                let i = inst_idx!() as usize;
                store!().instances[i].datas[data as usize].1 = 0;
            },
            MemoryCopy => {
                let n = pop!(u32) as usize;
                let s = pop!(u32) as usize;
                let d = pop!(u32) as usize;
                if !in_bounds(s, n, mem_len!()) || !in_bounds(d, n, mem_len!()) {
                    trap!(TrapCode::MemoryOutOfBounds);
                }
                let base = mem_base!();
                // SAFETY: `in_bounds` checked that `n` bytes from `s` and from `d` lie inside the
                // memory; `copy` allows them to overlap.
                unsafe { std::ptr::copy(base.add(s), base.add(d), n) };
            },
            MemoryFill => {
                let n = pop!(u32) as usize;
                let v = pop!(u32) as u8;
                let d = pop!(u32) as usize;
                if !in_bounds(d, n, mem_len!()) {
                    trap!(TrapCode::MemoryOutOfBounds);
                }
                let base = mem_base!();
                // SAFETY: `in_bounds` checked that `n` bytes from `d` lie inside the memory.
                unsafe { std::ptr::write_bytes(base.add(d), v, n) };
            },
            TableGet { table } => {
                let i = pop!(u32) as usize;
                let t = &store!().tables[store_table!(table)];
                match t.elements.get(i) {
                    Some(&r) => push!(r),
                    None => trap!(TrapCode::TableOutOfBounds),
                }
            },
            TableSet { table } => {
                let r = pop!();
                let i = pop!(u32) as usize;
                let ti = store_table!(table);
                match store!().tables[ti].elements.get_mut(i) {
                    Some(e) => *e = r,
                    None => trap!(TrapCode::TableOutOfBounds),
                }
            },
            TableSize { table } => {
                let ti = store_table!(table);
                push!(store!().tables[ti].elements.len() as u32);
            },
            TableGrow { table } => {
                let n = pop!(u32);
                let init = pop!();
                let ti = store_table!(table);
                if n != 0 && store!().limited {
                    grow_exit!(GrowKind::Table { init }, ti, n);
                }
                let r = store!().tables[ti].grow(n as u64, init).map_or(u32::MAX, |old| old as u32);
                push!(r);
            },
            TableFill { table } => {
                let n = pop!(u32) as usize;
                let r = pop!();
                let d = pop!(u32) as usize;
                let ti = store_table!(table);
                let t = &mut store!().tables[ti];
                if !in_bounds(d, n, t.elements.len()) {
                    trap!(TrapCode::TableOutOfBounds);
                }
                t.elements[d..d + n].fill(r);
            },
            TableCopy { dst, src } => {
                let n = pop!(u32) as usize;
                let s = pop!(u32) as usize;
                let d = pop!(u32) as usize;
                let ti_d = store_table!(dst);
                let ti_s = store_table!(src);
                let tables = &mut store!().tables;
                let (ls, ld) = (tables[ti_s].elements.len(), tables[ti_d].elements.len());
                if !in_bounds(s, n, ls) || !in_bounds(d, n, ld) {
                    trap!(TrapCode::TableOutOfBounds);
                }
                if ti_d == ti_s {
                    tables[ti_d].elements.copy_within(s..s + n, d);
                } else {
                    let tmp: Vec<u64> = tables[ti_s].elements[s..s + n].to_vec();
                    tables[ti_d].elements[d..d + n].copy_from_slice(&tmp);
                }
            },
            TableInit { table, elem } => {
                let n = pop!(u32) as usize;
                let s = pop!(u32) as usize;
                let d = pop!(u32) as usize;
                let ti = store_table!(table);
                let seg: &[u64] = &inst!().elems[elem as usize];
                let t = &mut store!().tables[ti];
                if !in_bounds(s, n, seg.len()) || !in_bounds(d, n, t.elements.len()) {
                    trap!(TrapCode::TableOutOfBounds);
                }
                t.elements[d..d + n].copy_from_slice(&seg[s..s + n]);
            },
            ElemDrop { elem } => {
                let i = inst_idx!() as usize;
                store!().instances[i].elems[elem as usize] = Box::default();
            },
            RefIsNull => top!() = (top!() == 0) as u64,
            RefFunc { func } => push!(store_func!(func) as u64 + 1),
        } }
    };
}

/// The store index of the running instance's function `$i`.
macro_rules! store_func {
    ($i:expr) => {{
        let funcs = &inst!().funcs;
        let i = $i as usize;
        // SAFETY: validation checked the function index; an instance lists all its module's
        // functions, imported and defined.
        *unsafe { funcs.get_unchecked(i) }
    }};
}

/// The store function a `call_indirect` through table `$table` calls (its index popped), after
/// the checks that trap: the index in bounds, the element not null, its type `$type_id`.
macro_rules! indirect_callee {
    ($type_id:expr, $table:expr) => {{
        let i = pop!(u32) as usize;
        let ti = store_table!($table);
        let Some(&r) = store!().tables[ti].elements.get(i) else { trap!(TrapCode::UndefinedElement) };
        if r == 0 {
            trap!(TrapCode::IndirectCallToNull);
        }
        let sf = (r - 1) as u32;
        if store!().funcs[sf as usize].type_id != $type_id {
            trap!(TrapCode::BadSignature);
        }
        sf
    }};
}

/// A tail call of store function `$f`: a Wasm callee takes the running frame's place
/// (`tail_call_wasm!`); a host function is called as by `call_store_func!`, and the `Return`
/// the translator put after the tail call returns its results.
macro_rules! tail_call_store_func {
    ($f:expr) => {{
        let f: u32 = $f;
        match store!().funcs[f as usize].kind {
            FuncKind::Wasm { instance, def_index } => tail_call_wasm!(instance, def_index),
            FuncKind::Host { .. } => call_store_func!(f),
        }
    }};
}

/// The store index of the running instance's table `$i`.
macro_rules! store_table {
    ($i:expr) => {{
        let tables = &inst!().tables;
        let i = $i as usize;
        // SAFETY: validation checked the table index; an instance lists all its module's tables.
        *unsafe { tables.get_unchecked(i) } as usize
    }};
}

/// The store index of the running instance's memory 0.
macro_rules! store_memory_0 {
    () => {{
        let memories = &inst!().memories;
        // SAFETY: validation admits memory instructions only in modules with a memory; an
        // instance lists all its module's memories.
        *unsafe { memories.get_unchecked(0) } as usize
    }};
}

/// Whether `len` items from `start` lie inside `size`, without overflow on any host.
#[inline(always)]
pub(crate) fn in_bounds(start: usize, len: usize, size: usize) -> bool {
    (start as u64).checked_add(len as u64).is_some_and(|end| end <= size as u64)
}

/// The value of a checked operation, or its trap.
macro_rules! or_trap {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(c) => trap!(c),
        }
    };
}

/// The slot value of a load of `$n` bytes from `$addr + $offset`, bounds-checked (traps when
/// out of bounds).
macro_rules! load_from {
    ($addr:expr, $offset:expr, $n:literal, $conv:expr) => {{
        match ea($addr, $offset, $n, mem_len!()) {
            Some(a) => {
                let base = mem_base!();
                // SAFETY: `ea` checked that `$n` bytes at `a` lie inside the memory, and a byte
                // array's alignment is 1. (`ptr::read`, not `read_unaligned`: the latter copies
                // through a stack temporary whose address its debug precondition check takes,
                // which keeps the handler's final call from becoming a jump in such builds.)
                let bytes = unsafe { std::ptr::read(base.add(a) as *const [u8; $n]) };
                Slot::to_slot($conv(bytes))
            }
            None => trap!(TrapCode::MemoryOutOfBounds),
        }
    }};
}

/// A store of `$n` bytes of slot value `$v` at `$addr + $offset`, bounds-checked.
macro_rules! store_to {
    ($addr:expr, $offset:expr, $n:literal, $bytes:expr, $v:expr) => {{
        let v: u64 = $v;
        match ea($addr, $offset, $n, mem_len!()) {
            Some(a) => {
                let b: [u8; $n] = $bytes(v);
                let base = mem_base!();
                // SAFETY: `ea` checked that `$n` bytes at `a` lie inside the memory, and a byte
                // array's alignment is 1 (`ptr::write` for the reason `load_from!` gives).
                unsafe { std::ptr::write(base.add(a) as *mut [u8; $n], b) };
            }
            None => trap!(TrapCode::MemoryOutOfBounds),
        }
    }};
}

/// Keeps the top `keep` slots and discards the `drop` below them.
macro_rules! drop_keep {
    ($drop:expr, $keep:expr) => {{
        let (d, k) = ($drop as usize, $keep as usize);
        if d != 0 {
            flush!();
            let top = sp!();
            // SAFETY: the translator's heights put `d + k` operands below `top`, in the frame.
            let new_top = unsafe {
                move_slots(top.sub(k), top.sub(k + d), k);
                top.sub(d)
            };
            set_sp!(new_top);
            reload!();
        }
    }};
}

/// Pushes slot value `$v` below the top `$depth` slots (they move up by one). Below the top
/// one (the common case: a deferred local under a computed value) it is a push of the top
/// after writing the value where the top was, which moves no other slot.
macro_rules! insert {
    ($v:expr, $depth:expr) => {{
        let v: u64 = $v;
        let d = $depth as usize;
        if d == 1 {
            let t = top!();
            top!() = v;
            push!(t);
        } else {
            flush!();
            let top = sp!();
            // SAFETY: the translator counted `d` operands above the new one, and the frame's
            // maximum height includes the new slot.
            let new_top = unsafe {
                std::ptr::copy(top.sub(d), top.sub(d).add(1), d);
                *top.sub(d) = v;
                top.add(1)
            };
            set_sp!(new_top);
            reload!();
        }
    }};
}

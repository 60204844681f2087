//! The semantics of every instruction that does not enter or leave a function, written once.
//!
//! `for_each_handler!` hands the list to a macro of the dispatch backend, which turns each entry
//! into a `match` arm (the portable loop) or into a function that tail-calls the next
//! instruction's handler (the threaded backend). Bodies reach interpreter state only through
//! macros each backend defines: `pop!`, `push!`, `top!`, `sp!`, `set_sp!`, `local!`, `global!`,
//! `jump!`, `trap!`, `br_table_entry!`, `jump_table!` (to the target of an entry of this
//! `br_table`), `table_at!` (the instruction at a branch target),
//! `jump_via_table!` (to an entry of the `br_table` there), `imm!` (a field of the
//! instruction, read where it is named), `mem_base!`, `mem_len!`,
//! `reload_mem!`, `store!`, `inst!`, `inst_idx!`, `module!`, `flush!`/`reload!` (write a cached top of stack to its
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
/// the hand-written instructions follow, in two blocks: the hot ones, then those the
/// generator's `COLD` names (the threaded backend puts the two in modules of their own, so a
/// build without LTO lays the hot handlers out together).
macro_rules! for_each_handler {
    ($m:ident $($extra:tt)*) => {
        generated_handlers! { $m ($($extra)*) {
            Return { keep } => ret!(keep),
            ReturnImm { value } => ret_imm!(value as u64),
            SpAdjustReturnImm { local, global, imm, value } => {
                let sp = (local!(local) as u32).wrapping_add(imm) as u64;
                global!(global) = sp;
                ret_imm!(value as u64, (global as u32, sp))
            },
            Call { func } => call_wasm!(inst_idx!(), func),
            CallImport { func } => {
                call_store_func!(store_func!(func))
            },
            CallIndirect { type_id, table } => call_store_func!(indirect_callee!(type_id, table)),
            ReturnCall { func } => tail_call_wasm!(inst_idx!(), func),
            ReturnCallImport { func } => tail_call_store_func!(store_func!(func)),
            ReturnCallIndirect { type_id, table } => tail_call_store_func!(indirect_callee!(type_id, table)),
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
            LocalGetV128 { index } => {
                // `usize` before the `+ 1`: the high half's address is then the low half's
                // plus 8, not a second index computed in 32 bits (RATIONALE.md, "v128 locals").
                let index = index as usize;
                let lo: u64 = local!(index);
                let hi: u64 = local!(index + 1);
                push!(lo);
                push!(hi);
            },
            LocalSetV128 { index } => {
                let index = index as usize;
                let hi: u64 = pop!();
                let lo: u64 = pop!();
                local!(index) = lo;
                local!(index + 1) = hi;
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
            BrTable { len } => jump_table!(pop!(u32), len),
            BrTableLocal { index, len } => jump_table!(local!(index) as u32, len),
            BrTableLoadScaled { index, shift, imm, len } => {
                let addr = (local!(index) as u32).wrapping_shl(shift as u32).wrapping_add(imm);
                let v: u64 = load_from!(addr as u64, 0, 4, ops::i32_load);
                jump_table!(v as u32, len);
            },
            BrToTableLoadScaled { target } => {
                let Instr::BrTableLoadScaled { index, shift, imm, len } = table_at!(target) else {
                    // SAFETY: the translator threads a `br` into this instruction only when its
                    // target is a `BrTableLoadScaled` (`Translator::branch_to_dispatch` in translate/idioms.rs).
                    unsafe { std::hint::unreachable_unchecked() }
                };
                let addr = (local!(index) as u32).wrapping_shl(shift as u32).wrapping_add(imm);
                match try_load_bytes!(addr as u64, 0, 4) {
                    Some(bytes) => {
                        let v: u64 = Slot::to_slot(ops::i32_load(bytes));
                        jump_via_table!(target, v as u32, len);
                    }
                    // The table's own instruction traps, so the trap names its operator.
                    None => jump!(target),
                }
            },
            BrToTableLocal { target } => {
                let Instr::BrTableLocal { index, len } = table_at!(target) else {
                    // SAFETY: the translator threads a `br` into this instruction only when its
                    // target is a `BrTableLocal` (`Translator::branch_to_dispatch` in translate/idioms.rs).
                    unsafe { std::hint::unreachable_unchecked() }
                };
                jump_via_table!(target, local!(index) as u32, len);
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
            LocalCopy2 { src, dst, src2, dst2 } => {
                local!(dst) = local!(src);
                // The second pair's indices are read after the first store (`imm!`), so the
                // four do not all hold registers at once.
                local!(imm!(dst2)) = local!(imm!(src2));
            },
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
                // The callee's entry reads the stack pointer's global: the value just set.
                call_wasm!(inst_idx!(), func, true, false, (global as u32, sp))
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
                match stack_above_guard!(local!(local) as u32, global, offset) {
                    Some(true) => jump!(target),
                    Some(false) => {}
                    None => trap!(TrapCode::MemoryOutOfBounds),
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
            RefIsNull => top!() = (top!() == 0) as u64,
        } {
            CallRef => call_store_func!(ref_callee!()),
            ReturnCallRef => tail_call_store_func!(ref_callee!()),
            Unreachable => trap!(TrapCode::Unreachable),
            Throw { tag } => {
                let t = inst!().tags[tag as usize];
                // The payload as slots (a `v128` takes two), as the label that catches it holds it.
                let n = crate::translate::slots_of(store!().tags[t as usize].ty.params()) as usize;
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
            SelectV128 => {
                let c: u32 = pop!(u32);
                let b = pop_v128!();
                let a = pop_v128!();
                push_v128!(if c != 0 { a } else { b });
            },
            GlobalGetV128 { index } => {
                let lo: u64 = global!(index);
                let hi: u64 = global_hi!(index);
                push!(lo);
                push!(hi);
            },
            GlobalSetV128 { index } => {
                let hi: u64 = pop!();
                let lo: u64 = pop!();
                global!(index) = lo;
                global_hi!(index) = hi;
            },
            MemorySize => push!((mem_len!() / PAGE_SIZE) as u32),
            MemoryGrow => {
                let delta = pop!(u32);
                let m = store_memory_0!();
                if delta != 0 && store!().limited {
                    grow_exit!(GrowKind::Memory, m, delta as u64);
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
            MemorySizeAt { memory } => {
                let pages = store!().memories[store_memory!(memory)].pages();
                push!(pages);
            },
            MemoryGrowAt { memory } => {
                let m = store_memory!(memory);
                let wide = store!().memories[m].ty.memory64;
                let delta = pop_index!(wide);
                if delta != 0 && store!().limited {
                    grow_exit!(GrowKind::Memory, m, delta);
                }
                let r = store!().memories[m].grow(delta);
                reload_mem!();
                push!(grow_result(r, wide));
            },
            MemoryInitAt { memory, data } => {
                let m = store_memory!(memory);
                let wide = store!().memories[m].ty.memory64;
                let n = pop!(u32) as u64;
                let s = pop!(u32) as u64;
                let d = pop_index!(wide);
                let (start, len) = inst!().datas[data as usize];
                let (base, size) = mem_at!(m);
                let (Some(s), Some(d)) = (range(s, n, len), range(d, n, size)) else {
                    trap!(TrapCode::MemoryOutOfBounds)
                };
                let n = n as usize;
                let src = &module!().bytes[start + s..start + s + n];
                // SAFETY: `range` checked that `n` bytes from `d` lie inside the memory; the
                // source is a slice of the module's bytes, never inside a memory.
                unsafe { std::ptr::copy_nonoverlapping(src.as_ptr(), base.add(d), n) };
            },
            MemoryCopyAt { dst, src } => {
                let (md, ms) = (store_memory!(dst), store_memory!(src));
                let (wide_d, wide_s) = (store!().memories[md].ty.memory64, store!().memories[ms].ty.memory64);
                let n = pop_index!(wide_d && wide_s);
                let s = pop_index!(wide_s);
                let d = pop_index!(wide_d);
                let (src_base, src_size) = mem_at!(ms);
                let (dst_base, dst_size) = mem_at!(md);
                let (Some(s), Some(d)) = (range(s, n, src_size), range(d, n, dst_size)) else {
                    trap!(TrapCode::MemoryOutOfBounds)
                };
                // SAFETY: `range` checked that `n` bytes from `s` lie inside the source memory and
                // from `d` inside the destination (`n` fits both, so `usize`); they may be one
                // memory (the same index, or one memory imported twice): `copy` allows overlap.
                unsafe { std::ptr::copy(src_base.add(s), dst_base.add(d), n as usize) };
            },
            MemoryFillAt { memory } => {
                let m = store_memory!(memory);
                let wide = store!().memories[m].ty.memory64;
                let n = pop_index!(wide);
                let v = pop!(u32) as u8;
                let d = pop_index!(wide);
                let (base, size) = mem_at!(m);
                let Some(d) = range(d, n, size) else { trap!(TrapCode::MemoryOutOfBounds) };
                // SAFETY: `range` checked that `n` bytes from `d` lie inside the memory.
                unsafe { std::ptr::write_bytes(base.add(d), v, n as usize) };
            },
            TableIndex64 => top!() = top!().min(u32::MAX as u64),
            TableGet { table } => {
                let ti = store_table!(table);
                let i = sat(pop_index!(store!().tables[ti].ty.table64));
                let t = &store!().tables[ti];
                match t.elements.get(i) {
                    Some(&r) => push!(r),
                    None => trap!(TrapCode::TableOutOfBounds),
                }
            },
            TableSet { table } => {
                let r = pop!();
                let ti = store_table!(table);
                let i = sat(pop_index!(store!().tables[ti].ty.table64));
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
                let ti = store_table!(table);
                let wide = store!().tables[ti].ty.table64;
                let n = pop_index!(wide);
                let init = pop!();
                if n != 0 && store!().limited {
                    grow_exit!(GrowKind::Table { init }, ti, n);
                }
                let r = store!().tables[ti].grow(n, init);
                push!(grow_result(r, wide));
            },
            TableFill { table } => {
                let ti = store_table!(table);
                let wide = store!().tables[ti].ty.table64;
                let n = sat(pop_index!(wide));
                let r = pop!();
                let d = sat(pop_index!(wide));
                let t = &mut store!().tables[ti];
                if !in_bounds(d, n, t.elements.len()) {
                    trap!(TrapCode::TableOutOfBounds);
                }
                t.elements[d..d + n].fill(r);
            },
            TableCopy { dst, src } => {
                let ti_d = store_table!(dst);
                let ti_s = store_table!(src);
                let (wide_d, wide_s) = (store!().tables[ti_d].ty.table64, store!().tables[ti_s].ty.table64);
                let n = sat(pop_index!(wide_d && wide_s));
                let s = sat(pop_index!(wide_s));
                let d = sat(pop_index!(wide_d));
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
                let ti = store_table!(table);
                let n = pop!(u32) as usize;
                let s = pop!(u32) as usize;
                let d = sat(pop_index!(store!().tables[ti].ty.table64));
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
            RefAsNonNull => {
                if top!() == 0 {
                    trap!(TrapCode::NullReference);
                }
            },
            BrOnNull { target, drop, keep } => {
                if top!() == 0 {
                    let _ = pop!();
                    drop_keep!(drop, keep);
                    jump!(target);
                }
            },
            BrOnNonNull { target, drop, keep } => {
                // `jump!` sets the next instruction; it does not leave the handler.
                if top!() != 0 {
                    drop_keep!(drop, keep);
                    jump!(target);
                } else {
                    let _ = pop!();
                }
            },
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
/// the checks that trap: the index in bounds, the element not null, its type `$type_id` or a
/// declared subtype of it.
macro_rules! indirect_callee {
    ($type_id:expr, $table:expr) => {{
        let i = pop!(u32) as usize;
        let ti = store_table!($table);
        let Some(&r) = store!().tables[ti].elements.get(i) else { trap!(TrapCode::UndefinedElement) };
        if r == 0 {
            trap!(TrapCode::IndirectCallToNull);
        }
        let sf = (r - 1) as u32;
        let actual = store!().funcs[sf as usize].type_id;
        // The exact type is the common case; a declared subtype is walked to out of line.
        if actual != $type_id && !store!().declared_subtype(actual, $type_id) {
            trap!(TrapCode::BadSignature);
        }
        sf
    }};
}

/// The store function a `call_ref` calls (its reference popped), after the null check that
/// traps; validation proved its type.
macro_rules! ref_callee {
    () => {{
        let r = pop!();
        if r == 0 {
            trap!(TrapCode::NullFunctionReference);
        }
        (r - 1) as u32
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

/// The store index of the running instance's memory `$i`.
macro_rules! store_memory {
    ($i:expr) => {{
        let memories = &inst!().memories;
        let i = $i as usize;
        // SAFETY: validation checked the memory index; an instance lists all its module's
        // memories.
        *unsafe { memories.get_unchecked(i) } as usize
    }};
}

/// Store memory `$m`'s base and length (valid until it grows: taken again by every access).
macro_rules! mem_at {
    ($m:expr) => {{
        let data = &mut store!().memories[$m].data;
        (data.as_mut_ptr(), data.len())
    }};
}

/// Pops an address, length or table index: the whole i64 slot when `$wide` (memory64 and
/// 64-bit tables), else an i32's. A table index above `u32::MAX` becomes `u32::MAX` where it
/// is cast to `usize` by its caller (no table holds that many elements): see `TableIndex64`.
macro_rules! pop_index {
    ($wide:expr) => {{
        let wide: bool = $wide;
        let v: u64 = pop!();
        if wide {
            v
        } else {
            v as u32 as u64
        }
    }};
}

/// The `$n` bytes at `$addr + $offset` in the running instance's memory `$memory` (the rows
/// other than memory 0's 32-bit one: both 64-bit), bounds-checked without overflow.
macro_rules! load_bytes_at {
    ($memory:expr, $addr:expr, $offset:expr, $n:literal) => {{
        let (base, len) = mem_at!(store_memory!($memory));
        match ea64($addr, $offset, $n, len) {
            Some(a) => {
                // SAFETY: `ea64` checked that `$n` bytes at `a` lie inside the memory, and a
                // byte array's alignment is 1.
                unsafe { std::ptr::read(base.add(a) as *const [u8; $n]) }
            }
            None => trap!(TrapCode::MemoryOutOfBounds),
        }
    }};
}

/// The slot value of a load of `$n` bytes from `$addr + $offset` in memory `$memory`.
macro_rules! load_at {
    ($memory:expr, $addr:expr, $offset:expr, $n:literal, $conv:expr) => {{
        let bytes: [u8; $n] = load_bytes_at!($memory, $addr, $offset, $n);
        Slot::to_slot($conv(bytes))
    }};
}

/// A store of bytes `$b` (`$n` of them) at `$addr + $offset` in memory `$memory`.
macro_rules! store_bytes_at {
    ($memory:expr, $addr:expr, $offset:expr, $n:literal, $b:expr) => {{
        let b: [u8; $n] = $b;
        let (base, len) = mem_at!(store_memory!($memory));
        match ea64($addr, $offset, $n, len) {
            Some(a) => {
                // SAFETY: `ea64` checked that `$n` bytes at `a` lie inside the memory, and a
                // byte array's alignment is 1.
                unsafe { std::ptr::write(base.add(a) as *mut [u8; $n], b) };
            }
            None => trap!(TrapCode::MemoryOutOfBounds),
        }
    }};
}

/// A store of `$n` bytes of slot value `$v` at `$addr + $offset` in memory `$memory`.
macro_rules! store_at {
    ($memory:expr, $addr:expr, $offset:expr, $n:literal, $bytes:expr, $v:expr) => {{
        let v: u64 = $v;
        store_bytes_at!($memory, $addr, $offset, $n, $bytes(v))
    }};
}

/// The start of `n` items from `start` when they lie inside `size` (checked without overflow
/// on any host, whatever the widths).
#[inline(always)]
pub(crate) fn range(start: u64, n: u64, size: usize) -> Option<usize> {
    let end = start.checked_add(n)?;
    if end <= size as u64 {
        Some(start as usize)
    } else {
        None
    }
}

/// A table index or length as a `usize`, saturated (on a 32-bit host an i64 above `usize::MAX`
/// is out of bounds all the same).
#[inline(always)]
pub(crate) fn sat(v: u64) -> usize {
    usize::try_from(v).unwrap_or(usize::MAX)
}

/// What `memory.grow`/`table.grow` pushes: the old size, or -1 (of the index type).
#[inline(always)]
pub(crate) fn grow_result(old: Option<u64>, wide: bool) -> u64 {
    match (old, wide) {
        (Some(old), _) => old,
        (None, true) => u64::MAX,
        (None, false) => u32::MAX as u64,
    }
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

/// Go's stack check (`StackGuardBr`): whether stack pointer `$sp` is above the guard, the i32
/// at global `$global`'s value (wrapped to 32 bits) plus `$offset` (unsigned); `None` when
/// that load is out of bounds.
macro_rules! stack_above_guard {
    ($sp:expr, $global:expr, $offset:expr) => {{
        let sp: u32 = $sp;
        match try_load_bytes!(global!($global) as u32 as u64, $offset, 4) {
            Some(bytes) => Some(sp > ops::i32_load(bytes)),
            None => None,
        }
    }};
}

/// A call's entry past Go's resume dispatch (`translate::idioms::ResumeEntry`): the callee's
/// stack pointer and the instruction it starts at. With a prologue whose check passes, the
/// pointer is the allocated frame's (stored to the global here, as the prologue's `SpAdjust`
/// would) and the start is the body; otherwise it is the global's value and the start `at`,
/// where the prologue runs as instructions. `$known` is `(global, value)` when the caller
/// has just written that global (`GoCall`: the stack pointer) and no other (`NO_GLOBAL`):
/// the entry takes the value instead of reading the global's cell again.
macro_rules! go_entry {
    ($entry:expr, $known:expr) => {{
        let entry: crate::translate::ResumeEntry = $entry;
        let (known, value): (u32, u64) = $known;
        let v: u64 = if entry.global == known { value } else { global!(entry.global) };
        let s = v as u32;
        let pass = entry.body != 0
            && (entry.guard == crate::translate::NO_GUARD
                || stack_above_guard!(s, entry.guard, entry.guard_offset) == Some(true));
        if pass {
            let framed = s.wrapping_add(entry.frame) as u64;
            global!(entry.global) = framed;
            (framed, entry.body)
        } else {
            (v, entry.at)
        }
    }};
}

/// The `$n` bytes at `$addr + $offset`, or `None` when they do not lie inside the memory.
macro_rules! try_load_bytes {
    ($addr:expr, $offset:expr, $n:literal) => {{
        match ea($addr, $offset, $n, mem_len!()) {
            Some(a) => {
                let base = mem_base!();
                // SAFETY: `ea` checked that `$n` bytes at `a` lie inside the memory, and a byte
                // array's alignment is 1. (`ptr::read`, not `read_unaligned`: the latter copies
                // through a stack temporary whose address its debug precondition check takes,
                // which keeps the handler's final call from becoming a jump in such builds.)
                Some(unsafe { std::ptr::read(base.add(a) as *const [u8; $n]) })
            }
            None => None,
        }
    }};
}

/// The `$n` bytes at `$addr + $offset`, bounds-checked (traps when out of bounds).
macro_rules! load_bytes {
    ($addr:expr, $offset:expr, $n:literal) => {{
        match try_load_bytes!($addr, $offset, $n) {
            Some(bytes) => bytes,
            None => trap!(TrapCode::MemoryOutOfBounds),
        }
    }};
}

/// The slot value of a load of `$n` bytes from `$addr + $offset`, bounds-checked (traps when
/// out of bounds).
macro_rules! load_from {
    ($addr:expr, $offset:expr, $n:literal, $conv:expr) => {{
        let bytes: [u8; $n] = load_bytes!($addr, $offset, $n);
        Slot::to_slot($conv(bytes))
    }};
}

/// A store of bytes `$b` (`$n` of them) at `$addr + $offset`, bounds-checked.
macro_rules! store_bytes {
    ($addr:expr, $offset:expr, $n:literal, $b:expr) => {{
        match ea($addr, $offset, $n, mem_len!()) {
            Some(a) => {
                let b: [u8; $n] = $b;
                let base = mem_base!();
                // SAFETY: `ea` checked that `$n` bytes at `a` lie inside the memory, and a byte
                // array's alignment is 1 (`ptr::write` for the reason `load_bytes!` gives).
                unsafe { std::ptr::write(base.add(a) as *mut [u8; $n], b) };
            }
            None => trap!(TrapCode::MemoryOutOfBounds),
        }
    }};
}

/// A store of `$n` bytes of slot value `$v` at `$addr + $offset`, bounds-checked.
macro_rules! store_to {
    ($addr:expr, $offset:expr, $n:literal, $bytes:expr, $v:expr) => {{
        let v: u64 = $v;
        store_bytes!($addr, $offset, $n, $bytes(v))
    }};
}

/// Pops a `v128`: two slots, the high half on top.
macro_rules! pop_v128 {
    () => {{
        let hi: u64 = pop!();
        let lo: u64 = pop!();
        (lo as u128) | ((hi as u128) << 64)
    }};
}

/// Pushes a `v128`: its low half, then its high half.
macro_rules! push_v128 {
    ($v:expr) => {{
        let v: u128 = $v;
        push!(v as u64);
        push!((v >> 64) as u64);
    }};
}

/// A `v128` local: slots `$i` (its low half) and `$i + 1`. The index is a `usize` before the
/// `+ 1`, so the high half is addressed as the low half's slot plus 8 (a `u32` sum could wrap,
/// and took a register and an instruction of its own).
macro_rules! local_v128 {
    ($i:expr) => {{
        let i = $i as usize;
        let lo: u64 = local!(i);
        let hi: u64 = local!(i + 1);
        (lo as u128) | ((hi as u128) << 64)
    }};
}

/// Writes a `v128` into the local at slots `$i` and `$i + 1`.
macro_rules! set_local_v128 {
    ($i:expr, $v:expr) => {{
        let (i, v): (usize, u128) = ($i as usize, $v);
        local!(i) = v as u64;
        local!(i + 1) = (v >> 64) as u64;
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

//! The semantics of every instruction that does not enter or leave a function, written once.
//!
//! `for_each_handler!` hands the list to a macro of the dispatch backend, which turns each entry
//! into a `match` arm (the portable loop) or into a function that tail-calls the next
//! instruction's handler (the threaded backend). Bodies reach interpreter state only through
//! macros each backend defines: `pop!`, `push!`, `top!`, `sp!`, `set_sp!`, `local!`, `global!`,
//! `jump!`, `trap!`, `br_table_entry!`, `mem_base!`, `mem_len!`, `reload_mem!`, `store!`,
//! `inst!`, `inst_idx!`, `module!`, `flush!`/`reload!` (write a cached top of stack to its
//! slot / read it back, around code that moves slots in memory), for calls `ret!`,
//! `call_wasm!`, `call_store_func!`, and `grow_exit!` (leave for the store's limiter);
//! plus the helpers below built on them. The list's first tokens are the caller's (`$extra`),
//! so a backend can receive a `$` to define its own macros with.

/// The instructions with their handler bodies. Entry syntax: `Variant { fields } => body,`.
/// The fused families (`isa::for_each_fused_binop!`, `for_each_fused_cmp!`,
/// `for_each_fused_load!`, `for_each_fused_store!`) join the list with bodies generated from
/// their semantics.
macro_rules! for_each_handler {
    ($m:ident $($extra:tt)*) => {
        crate::for_each_fused_binop! { fused_binop_entries $m ($($extra)*) }
    };
}

macro_rules! fused_binop_entries {
    ($m:ident $extra:tt ; $( ($op:ident, $ll:ident, $llset:ident, $set:ident, $imm:ident, $l:ident, $tee:ident, $li:ident, $ls:ident,
                              $lset:ident, $liset:ident, $lltee:ident, $immtee:ident, $immset:ident,
                              $lstee:ident, $litee:ident, $t:ty, $f:expr) )*) => {
        crate::for_each_fused_cmp! { fused_cmp_entries $m $extra {
            $(
                $ll { a, b } => {
                    let x = <$t as Slot>::from_slot(local!(a));
                    let y = <$t as Slot>::from_slot(local!(b));
                    push!(($f)(x, y))
                },
                $llset { a, b, dst } => {
                    let x = <$t as Slot>::from_slot(local!(a));
                    let y = <$t as Slot>::from_slot(local!(b));
                    local!(dst) = Slot::to_slot(($f)(x, y))
                },
                $set { dst } => {
                    let y = pop!($t);
                    let x = pop!($t);
                    local!(dst) = Slot::to_slot(($f)(x, y))
                },
                $imm { value } => {
                    let y = <$t as Slot>::from_slot(value);
                    let x = <$t as Slot>::from_slot(top!());
                    top!() = Slot::to_slot(($f)(x, y))
                },
                $l { b } => {
                    let y = <$t as Slot>::from_slot(local!(b));
                    let x = <$t as Slot>::from_slot(top!());
                    top!() = Slot::to_slot(($f)(x, y))
                },
                $li { a, value } => {
                    let x = <$t as Slot>::from_slot(local!(a));
                    push!(($f)(x, <$t as Slot>::from_slot(value)))
                },
                $ls { a } => {
                    let x = <$t as Slot>::from_slot(local!(a));
                    let y = <$t as Slot>::from_slot(top!());
                    top!() = Slot::to_slot(($f)(x, y))
                },
                $lset { b, dst } => {
                    let y = <$t as Slot>::from_slot(local!(b));
                    let x = pop!($t);
                    local!(dst) = Slot::to_slot(($f)(x, y))
                },
                $liset { a, value, dst } => {
                    let x = <$t as Slot>::from_slot(local!(a));
                    let y = <$t as Slot>::from_slot(crate::isa::widen_imm32(value));
                    local!(dst) = Slot::to_slot(($f)(x, y))
                },
                $lltee { a, b, dst } => {
                    let x = <$t as Slot>::from_slot(local!(a));
                    let y = <$t as Slot>::from_slot(local!(b));
                    let r = Slot::to_slot(($f)(x, y));
                    local!(dst) = r;
                    push!(r)
                },
                $immtee { value, dst } => {
                    let y = <$t as Slot>::from_slot(value);
                    let x = <$t as Slot>::from_slot(top!());
                    let r = Slot::to_slot(($f)(x, y));
                    local!(dst) = r;
                    top!() = r
                },
                $immset { value, dst } => {
                    let y = <$t as Slot>::from_slot(value);
                    let x = pop!($t);
                    local!(dst) = Slot::to_slot(($f)(x, y))
                },
                $lstee { a, dst } => {
                    let x = <$t as Slot>::from_slot(local!(a));
                    let y = <$t as Slot>::from_slot(top!());
                    let r = Slot::to_slot(($f)(x, y));
                    local!(dst) = r;
                    top!() = r
                },
                $litee { a, value, dst } => {
                    let x = <$t as Slot>::from_slot(local!(a));
                    let y = <$t as Slot>::from_slot(crate::isa::widen_imm32(value));
                    let r = Slot::to_slot(($f)(x, y));
                    local!(dst) = r;
                    push!(r)
                },
                $tee { dst } => {
                    let y = pop!($t);
                    let x = <$t as Slot>::from_slot(top!());
                    let r = Slot::to_slot(($f)(x, y));
                    top!() = r;
                    local!(dst) = r
                },
            )*
        } }
    };
}

macro_rules! fused_cmp_entries {
    ($m:ident $extra:tt { $($binops:tt)* } ; $( ($cmp:ident, $br:ident, $brnot:ident, $llbr:ident, $llbrnot:ident, $imm:ident, $immbr:ident, $immbrnot:ident,
                                                 $lbr:ident, $lbrnot:ident, $li:ident, $libr:ident, $librnot:ident, $mlbr:ident, $mlbrnot:ident,
                                                 $t:ty, $f:expr) )*) => {
        crate::for_each_fused_load! { fused_load_entries $m $extra {
            $($binops)*
            $(
                $br { target } => {
                    let y = pop!($t);
                    let x = pop!($t);
                    if ($f)(x, y) {
                        jump!(target);
                    }
                },
                $brnot { target } => {
                    let y = pop!($t);
                    let x = pop!($t);
                    if !($f)(x, y) {
                        jump!(target);
                    }
                },
                $llbr { a, b, target } => {
                    if ($f)(<$t as Slot>::from_slot(local!(a)), <$t as Slot>::from_slot(local!(b))) {
                        jump!(target);
                    }
                },
                $llbrnot { a, b, target } => {
                    if !($f)(<$t as Slot>::from_slot(local!(a)), <$t as Slot>::from_slot(local!(b))) {
                        jump!(target);
                    }
                },
                $imm { value } => {
                    let x = <$t as Slot>::from_slot(top!());
                    top!() = ($f)(x, <$t as Slot>::from_slot(value)) as u64
                },
                $immbr { value, target } => {
                    let x = pop!($t);
                    if ($f)(x, <$t as Slot>::from_slot(value)) {
                        jump!(target);
                    }
                },
                $immbrnot { value, target } => {
                    let x = pop!($t);
                    if !($f)(x, <$t as Slot>::from_slot(value)) {
                        jump!(target);
                    }
                },
                $lbr { b, target } => {
                    let x = pop!($t);
                    if ($f)(x, <$t as Slot>::from_slot(local!(b))) {
                        jump!(target);
                    }
                },
                $lbrnot { b, target } => {
                    let x = pop!($t);
                    if !($f)(x, <$t as Slot>::from_slot(local!(b))) {
                        jump!(target);
                    }
                },
                $li { a, value } => {
                    let r = ($f)(<$t as Slot>::from_slot(local!(a)), <$t as Slot>::from_slot(value)) as u32;
                    push!(r)
                },
                $libr { a, value, target } => {
                    if ($f)(<$t as Slot>::from_slot(local!(a)), <$t as Slot>::from_slot(crate::isa::widen_imm32(value))) {
                        jump!(target);
                    }
                },
                $librnot { a, value, target } => {
                    if !($f)(<$t as Slot>::from_slot(local!(a)), <$t as Slot>::from_slot(crate::isa::widen_imm32(value))) {
                        jump!(target);
                    }
                },
            )*
        } }
    };
}

macro_rules! fused_load_entries {
    ($m:ident $extra:tt { $($before:tt)* } ; $( ($load:ident, $local:ident, $localimm:ident, $addimm:ident, $set:ident, $localset:ident, $scaled:ident, $n:literal, $conv:expr) )*) => {
        crate::for_each_fused_store! { fused_store_entries $m $extra {
            $($before)*
            $(
                $local { index, offset } => {
                    let v = load_from!(local!(index), offset, $n, $conv);
                    push!(v)
                },
                $localimm { index, imm, offset } => {
                    let v = load_from!((local!(index) as u32).wrapping_add(imm) as u64, offset, $n, $conv);
                    push!(v)
                },
                $addimm { imm, offset } => {
                    let v = load_from!((top!() as u32).wrapping_add(imm) as u64, offset, $n, $conv);
                    top!() = v
                },
                $set { offset, dst } => {
                    let v = load_from!(top!(), offset, $n, $conv);
                    let _ = pop!();
                    local!(dst) = v
                },
                $localset { index, offset, dst } => {
                    let v = load_from!(local!(index), offset, $n, $conv);
                    local!(dst) = v
                },
                $scaled { index, shift, imm, offset } => {
                    let addr = (local!(index) as u32).wrapping_shl(shift as u32).wrapping_add(imm);
                    let v = load_from!(addr as u64, offset, $n, $conv);
                    push!(v)
                },
            )*
        } }
    };
}

macro_rules! fused_store_entries {
    ($m:ident $extra:tt { $($before:tt)* } ; $( ($store:ident, $at:ident, $atimm:ident, $ll:ident, $laimm:ident, $lalocal:ident, $n:literal, $bytes:expr) )*) => {
        crate::for_each_fused_step! { fused_step_entries $m $extra {
            $($before)*
            $(
                $at { addr, offset } => {
                    let v = pop!();
                    store_to!(local!(addr), offset, $n, $bytes, v)
                },
                $atimm { addr, offset, value } => store_to!(local!(addr), offset, $n, $bytes, crate::isa::widen_imm32(value)),
                $ll { addr, value, offset } => store_to!(local!(addr), offset, $n, $bytes, local!(value)),
                $laimm { addr, imm, value } => {
                    store_to!((local!(addr) as u32).wrapping_add(imm) as u64, 0, $n, $bytes, crate::isa::widen_imm32(value))
                },
                $lalocal { addr, imm, value } => store_to!((local!(addr) as u32).wrapping_add(imm) as u64, 0, $n, $bytes, local!(value)),
            )*
        } }
    };
}

macro_rules! fused_step_entries {
    ($m:ident $extra:tt { $($before:tt)* } ; $( ($lbr:ident, $lbrnot:ident, $immbr:ident, $immbrnot:ident, $llbr:ident, $llbrnot:ident,
                                                  $libr:ident, $librnot:ident, $steplbr:ident, $steplbrnot:ident, $stepibr:ident, $stepibrnot:ident,
                                                  $stepllbr:ident, $stepllbrnot:ident, $stepinc:ident, $stepadd:ident, $t:ty, $ct:ty, $f:expr) )*) => {
        crate::for_each_fused_div! { fused_div_entries $m $extra {
            $($before)*
            $(
                $steplbr { local, step, b, target } => {
                    latch!($t, $f, local, <$ct as ops::Counter>::step(local!(local), step), local!(b), true, target)
                },
                $steplbrnot { local, step, b, target } => {
                    latch!($t, $f, local, <$ct as ops::Counter>::step(local!(local), step), local!(b), false, target)
                },
                $stepibr { local, step, bound, target } => {
                    let v = <$ct as ops::Counter>::step(local!(local), step);
                    latch!($t, $f, local, v, crate::isa::widen_imm32(bound), true, target)
                },
                $stepibrnot { local, step, bound, target } => {
                    let v = <$ct as ops::Counter>::step(local!(local), step);
                    latch!($t, $f, local, v, crate::isa::widen_imm32(bound), false, target)
                },
                $stepllbr { local, by, b, target } => {
                    latch!($t, $f, local, <$ct as ops::Counter>::add(local!(local), local!(by)), local!(b), true, target)
                },
                $stepllbrnot { local, by, b, target } => {
                    latch!($t, $f, local, <$ct as ops::Counter>::add(local!(local), local!(by)), local!(b), false, target)
                },
                $stepinc { local, step, b, inc, by, target } => {
                    local!(inc) = <u32 as ops::Counter>::step(local!(inc), by);
                    latch!($t, $f, local, <$ct as ops::Counter>::step(local!(local), step), local!(b), true, target)
                },
                $stepadd { local, by, b, x, y, target } => {
                    local!(x) = <u32 as ops::Counter>::add(local!(x), local!(y));
                    latch!($t, $f, local, <$ct as ops::Counter>::add(local!(local), local!(by)), local!(b), true, target)
                },
            )*
        } }
    };
}

/// A loop latch: sets counter `$local` to its stepped value `$new` (a slot), then branches to
/// `$target` when comparison `$f` of it with slot `$rhs` (as `$t`) is `$when`.
macro_rules! latch {
    ($t:ty, $f:expr, $local:expr, $new:expr, $rhs:expr, $when:expr, $target:expr) => {{
        let v = $new;
        local!($local) = v;
        if ($f)(<$t as Slot>::from_slot(v), <$t as Slot>::from_slot($rhs)) == $when {
            jump!($target);
        }
    }};
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

macro_rules! fused_div_entries {
    ($m:ident $extra:tt { $($before:tt)* } ; $( ($op:ident, $ll:ident, $ls:ident, $tee:ident, $set:ident, $lltee:ident, $llset:ident, $t:ty, $f:path) )*) => {
        base_handlers! { $m $extra {
            $($before)*
            $(
                $ll { a, b } => push!(or_trap!($f(<$t as Slot>::from_slot(local!(a)), <$t as Slot>::from_slot(local!(b))))),
                $ls { a } => top!() = Slot::to_slot(or_trap!($f(<$t as Slot>::from_slot(local!(a)), <$t as Slot>::from_slot(top!())))),
                $tee { dst } => {
                    binop_trap!($t, $f);
                    local!(dst) = top!()
                },
                $set { dst } => {
                    binop_trap!($t, $f);
                    local!(dst) = pop!()
                },
                $lltee { a, b, dst } => {
                    let r = Slot::to_slot(or_trap!($f(<$t as Slot>::from_slot(local!(a)), <$t as Slot>::from_slot(local!(b)))));
                    local!(dst) = r;
                    push!(r)
                },
                $llset { a, b, dst } => {
                    local!(dst) = Slot::to_slot(or_trap!($f(<$t as Slot>::from_slot(local!(a)), <$t as Slot>::from_slot(local!(b)))))
                },
            )*
        } }
    };
}

macro_rules! base_handlers {
    ($m:ident ($($extra:tt)*) { $($fused:tt)* }) => {
        $m! {
            $($extra)* ;
            $($fused)*
            Return { keep } => ret!(keep),
            Call { func } => call_wasm!(inst_idx!(), func),
            CallImm { func, value } => {
                push!(value);
                call_wasm!(inst_idx!(), func)
            },
            CallImport { func } => {
                let sf = *inst!().funcs.get_unchecked(func as usize);
                call_store_func!(sf)
            },
            CallIndirect { type_id, table } => {
                let i = pop!(u32) as usize;
                let ti = *inst!().tables.get_unchecked(table as usize) as usize;
                let Some(&r) = store!().tables[ti].elements.get(i) else { trap!(TrapCode::UndefinedElement) };
                if r == 0 {
                    trap!(TrapCode::IndirectCallToNull);
                }
                let sf = (r - 1) as u32;
                if store!().funcs[sf as usize].type_id != type_id {
                    trap!(TrapCode::BadSignature);
                }
                call_store_func!(sf)
            },
            Nop => {},
            Unreachable => trap!(TrapCode::Unreachable),
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
            BrIfNez { target } => {
                if pop!(u32) != 0 {
                    jump!(target);
                }
            },
            BrIfEqz { target } => {
                if pop!(u32) == 0 {
                    jump!(target);
                }
            },
            BrIfNezAdjust { target, drop, keep } => {
                if pop!(u32) != 0 {
                    drop_keep!(drop, keep);
                    jump!(target);
                }
            },
            LocalCopy { src, dst } => local!(dst) = local!(src),
            LocalGetTee { src, dst } => {
                let v = local!(src);
                local!(dst) = v;
                push!(v)
            },
            LocalGetBr { index, target } => {
                push!(local!(index));
                jump!(target);
            },
            LocalAddImmTee { src, value, dst } => {
                let v = (local!(src) as u32).wrapping_add(value) as u64;
                local!(dst) = v;
                push!(v)
            },
            LocalAddImmSet { src, value, dst } => local!(dst) = (local!(src) as u32).wrapping_add(value) as u64,
            BrIfLocalNez { index, target } => {
                if local!(index) as u32 != 0 {
                    jump!(target);
                }
            },
            BrIfLocalEqz { index, target } => {
                if local!(index) as u32 == 0 {
                    jump!(target);
                }
            },
            BrIfI64Eqz { target } => {
                if pop!(u64) == 0 {
                    jump!(target);
                }
            },
            BrIfI64Nez { target } => {
                if pop!(u64) != 0 {
                    jump!(target);
                }
            },
            BrTable { len } => {
                let i = pop!(u32).min(len);
                let (target, _, _) = br_table_entry!(i);
                jump!(target);
            },
            BrTableLocal { index, len } => {
                let i = (local!(index) as u32).min(len);
                let (target, _, _) = br_table_entry!(i);
                jump!(target);
            },
            BrTableLoadScaled { index, shift, imm, len } => {
                let addr = (local!(index) as u32).wrapping_shl(shift as u32).wrapping_add(imm);
                let v: u64 = load_from!(addr as u64, 0, 4, u32::from_le_bytes);
                let (target, _, _) = br_table_entry!((v as u32).min(len));
                jump!(target);
            },
            BrTableAdjust { len } => {
                let i = pop!(u32).min(len);
                let (target, drop, keep) = br_table_entry!(i);
                drop_keep!(drop, keep);
                jump!(target);
            },
            BrTableLocalAdjust { index, len } => {
                let i = (local!(index) as u32).min(len);
                let (target, drop, keep) = br_table_entry!(i);
                drop_keep!(drop, keep);
                jump!(target);
            },
            LocalGetExtendAddImm { index, value } => push!((local!(index) as u32 as u64).wrapping_add(value)),
            GlobalGetLocalSetBrIfNez { global, index, target } => {
                local!(index) = global!(global);
                if pop!(u32) != 0 {
                    jump!(target);
                }
            },
            LocalSetImmBr { index, value, target } => {
                local!(index) = value as u64;
                jump!(target);
            },
            I32AddShlImm { shift } => {
                let b = pop!(u32);
                let a = top!() as u32;
                top!() = a.wrapping_add(b.wrapping_shl(shift)) as u64
            },
            I32AddLShlImm { a, shift } => {
                let b = top!() as u32;
                top!() = (local!(a) as u32).wrapping_add(b.wrapping_shl(shift)) as u64
            },
            I32AddShlLI { x, shift } => {
                let a = top!() as u32;
                top!() = a.wrapping_add((local!(x) as u32).wrapping_shl(shift)) as u64
            },
            I32AddLShlL { a, x, shift } => {
                push!((local!(a) as u32).wrapping_add((local!(x) as u32).wrapping_shl(shift)))
            },
            I32XorMulImm { value } => {
                let b = pop!(u32);
                let a = top!() as u32;
                top!() = (a ^ b).wrapping_mul(value) as u64
            },
            I32XorLSMulImm { a, value } => {
                let b = top!() as u32;
                top!() = ((local!(a) as u32) ^ b).wrapping_mul(value) as u64
            },
            I32MulLAdd { b } => {
                let x = pop!(u32);
                let acc = top!() as u32;
                top!() = acc.wrapping_add(x.wrapping_mul(local!(b) as u32)) as u64
            },
            I32Load16SAtMulLAdd { index, imm, b } => {
                let v: u64 = load_from!((local!(index) as u32).wrapping_add(imm) as u64, 0, 2, |b: [u8; 2]| i16::from_le_bytes(b) as i32 as u32);
                let acc = top!() as u32;
                top!() = acc.wrapping_add((v as u32).wrapping_mul(local!(b) as u32)) as u64
            },
            I32BitL { a, bit } => push!(((local!(a) as u32) >> bit) & 1),
            I32Bit { bit } => top!() = (((top!() as u32) >> bit) & 1) as u64,
            I32Load8UAtBrNez { index, imm, target } => {
                let v: u64 = load_from!((local!(index) as u32).wrapping_add(imm) as u64, 0, 1, |b: [u8; 1]| b[0] as u32);
                if v != 0 {
                    jump!(target);
                }
            },
            I32Load8UAtBrEqz { index, imm, target } => {
                let v: u64 = load_from!((local!(index) as u32).wrapping_add(imm) as u64, 0, 1, |b: [u8; 1]| b[0] as u32);
                if v == 0 {
                    jump!(target);
                }
            },
            SelectTee { dst } => {
                let c = pop!(u32);
                let b = pop!();
                if c == 0 {
                    top!() = b;
                }
                local!(dst) = top!()
            },
            SelectSet { dst } => {
                let c = pop!(u32);
                let b = pop!();
                let a = pop!();
                local!(dst) = if c == 0 { b } else { a }
            },
            LocalCopy2 { s1, d1, s2, d2 } => {
                local!(d1) = local!(s1);
                local!(d2) = local!(s2)
            },
            Drop => {
                let _ = pop!();
            },
            Select => {
                let c = pop!(u32);
                let b = pop!();
                if c == 0 {
                    top!() = b;
                }
            },
            LocalGet { index } => push!(local!(index)),
            LocalSet { index } => local!(index) = pop!(),
            LocalTee { index } => local!(index) = top!(),
            GlobalGet { index } => push!(global!(index)),
            GlobalSet { index } => global!(index) = pop!(),
            Const32 { value } => push!(value),
            Const64 { value } => push!(value),
            I32Load { offset } => load!(offset, 4, u32::from_le_bytes),
            I64Load { offset } => load!(offset, 8, u64::from_le_bytes),
            F32Load { offset } => load!(offset, 4, u32::from_le_bytes),
            F64Load { offset } => load!(offset, 8, u64::from_le_bytes),
            I32Load8S { offset } => load!(offset, 1, |b: [u8; 1]| b[0] as i8 as i32),
            I32Load8U { offset } => load!(offset, 1, |b: [u8; 1]| b[0] as u32),
            I32Load16S { offset } => load!(offset, 2, |b| i16::from_le_bytes(b) as i32),
            I32Load16U { offset } => load!(offset, 2, |b| u16::from_le_bytes(b) as u32),
            I64Load8S { offset } => load!(offset, 1, |b: [u8; 1]| b[0] as i8 as i64),
            I64Load8U { offset } => load!(offset, 1, |b: [u8; 1]| b[0] as u64),
            I64Load16S { offset } => load!(offset, 2, |b| i16::from_le_bytes(b) as i64),
            I64Load16U { offset } => load!(offset, 2, |b| u16::from_le_bytes(b) as u64),
            I64Load32S { offset } => load!(offset, 4, |b| i32::from_le_bytes(b) as i64),
            I64Load32U { offset } => load!(offset, 4, |b| u32::from_le_bytes(b) as u64),
            I32Store { offset } => store_mem!(offset, 4, |v: u64| (v as u32).to_le_bytes()),
            F32Store { offset } => store_mem!(offset, 4, |v: u64| (v as u32).to_le_bytes()),
            I64Store { offset } => store_mem!(offset, 8, |v: u64| v.to_le_bytes()),
            F64Store { offset } => store_mem!(offset, 8, |v: u64| v.to_le_bytes()),
            I32Store8 { offset } => store_mem!(offset, 1, |v: u64| [v as u8]),
            I64Store8 { offset } => store_mem!(offset, 1, |v: u64| [v as u8]),
            I32Store16 { offset } => store_mem!(offset, 2, |v: u64| (v as u16).to_le_bytes()),
            I64Store16 { offset } => store_mem!(offset, 2, |v: u64| (v as u16).to_le_bytes()),
            I64Store32 { offset } => store_mem!(offset, 4, |v: u64| (v as u32).to_le_bytes()),
            MemorySize => push!((mem_len!() / PAGE_SIZE) as u32),
            MemoryGrow => {
                let delta = pop!(u32);
                let m = *inst!().memories.get_unchecked(0) as usize;
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
                if s.checked_add(n).is_none_or(|e| e > len) || d.checked_add(n).is_none_or(|e| e > mem_len!()) {
                    trap!(TrapCode::MemoryOutOfBounds);
                }
                let src = &module!().bytes[start + s..start + s + n];
                std::ptr::copy_nonoverlapping(src.as_ptr(), mem_base!().add(d), n);
            },
            DataDrop { data } => {
                let i = inst_idx!() as usize;
                store!().instances[i].datas[data as usize].1 = 0;
            },
            MemoryCopy => {
                let n = pop!(u32) as usize;
                let s = pop!(u32) as usize;
                let d = pop!(u32) as usize;
                if s + n > mem_len!() || d + n > mem_len!() {
                    trap!(TrapCode::MemoryOutOfBounds);
                }
                std::ptr::copy(mem_base!().add(s), mem_base!().add(d), n);
            },
            MemoryFill => {
                let n = pop!(u32) as usize;
                let v = pop!(u32) as u8;
                let d = pop!(u32) as usize;
                if d + n > mem_len!() {
                    trap!(TrapCode::MemoryOutOfBounds);
                }
                std::ptr::write_bytes(mem_base!().add(d), v, n);
            },
            TableGet { table } => {
                let i = pop!(u32) as usize;
                let t = &store!().tables[*inst!().tables.get_unchecked(table as usize) as usize];
                match t.elements.get(i) {
                    Some(&r) => push!(r),
                    None => trap!(TrapCode::TableOutOfBounds),
                }
            },
            TableSet { table } => {
                let r = pop!();
                let i = pop!(u32) as usize;
                let ti = *inst!().tables.get_unchecked(table as usize) as usize;
                match store!().tables[ti].elements.get_mut(i) {
                    Some(e) => *e = r,
                    None => trap!(TrapCode::TableOutOfBounds),
                }
            },
            TableSize { table } => {
                let ti = *inst!().tables.get_unchecked(table as usize) as usize;
                push!(store!().tables[ti].elements.len() as u32);
            },
            TableGrow { table } => {
                let n = pop!(u32);
                let init = pop!();
                let ti = *inst!().tables.get_unchecked(table as usize) as usize;
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
                let ti = *inst!().tables.get_unchecked(table as usize) as usize;
                let t = &mut store!().tables[ti];
                if d + n > t.elements.len() {
                    trap!(TrapCode::TableOutOfBounds);
                }
                t.elements[d..d + n].fill(r);
            },
            TableCopy { dst, src } => {
                let n = pop!(u32) as usize;
                let s = pop!(u32) as usize;
                let d = pop!(u32) as usize;
                let ti_d = *inst!().tables.get_unchecked(dst as usize) as usize;
                let ti_s = *inst!().tables.get_unchecked(src as usize) as usize;
                let tables = &mut store!().tables;
                let (ls, ld) = (tables[ti_s].elements.len(), tables[ti_d].elements.len());
                if s + n > ls || d + n > ld {
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
                let ti = *inst!().tables.get_unchecked(table as usize) as usize;
                let seg: *const [u64] = &*inst!().elems[elem as usize];
                let seg = &*seg;
                let t = &mut store!().tables[ti];
                if s + n > seg.len() || d + n > t.elements.len() {
                    trap!(TrapCode::TableOutOfBounds);
                }
                t.elements[d..d + n].copy_from_slice(&seg[s..s + n]);
            },
            ElemDrop { elem } => {
                let i = inst_idx!() as usize;
                store!().instances[i].elems[elem as usize] = Box::default();
            },
            RefNull => push!(0u64),
            RefIsNull => top!() = (top!() == 0) as u64,
            RefFunc { func } => push!(*inst!().funcs.get_unchecked(func as usize) as u64 + 1),

            LocalGetAddImm { index, value } => push!((local!(index) as u32).wrapping_add(value)),
            LocalAddImmTeeGlobal { index, delta, global } => {
                let v = (local!(index) as u32).wrapping_add(delta) as u64;
                local!(index) = v;
                global!(global) = v;
            },
            GlobalGetLocalSet { global, index } => local!(index) = global!(global),
            LocalSetImm32 { index, value } => local!(index) = value as u64,
            LocalSetImm64 { index, value } => local!(index) = crate::isa::widen_imm32(value),

            I32Eqz => unop!(u32, |a| (a == 0) as u32),
            I32Eq => binop!(u32, |a, b| (a == b) as u32),
            I32Ne => binop!(u32, |a, b| (a != b) as u32),
            I32LtS => binop!(i32, |a, b| (a < b) as i32),
            I32LtU => binop!(u32, |a, b| (a < b) as u32),
            I32GtS => binop!(i32, |a, b| (a > b) as i32),
            I32GtU => binop!(u32, |a, b| (a > b) as u32),
            I32LeS => binop!(i32, |a, b| (a <= b) as i32),
            I32LeU => binop!(u32, |a, b| (a <= b) as u32),
            I32GeS => binop!(i32, |a, b| (a >= b) as i32),
            I32GeU => binop!(u32, |a, b| (a >= b) as u32),
            I64Eqz => unop!(u64, |a| (a == 0) as u32),
            I64Eq => binop!(u64, |a, b| (a == b) as u32),
            I64Ne => binop!(u64, |a, b| (a != b) as u32),
            I64LtS => binop!(i64, |a, b| (a < b) as u32),
            I64LtU => binop!(u64, |a, b| (a < b) as u32),
            I64GtS => binop!(i64, |a, b| (a > b) as u32),
            I64GtU => binop!(u64, |a, b| (a > b) as u32),
            I64LeS => binop!(i64, |a, b| (a <= b) as u32),
            I64LeU => binop!(u64, |a, b| (a <= b) as u32),
            I64GeS => binop!(i64, |a, b| (a >= b) as u32),
            I64GeU => binop!(u64, |a, b| (a >= b) as u32),
            F32Eq => binop!(f32, |a, b| (a == b) as u32),
            F32Ne => binop!(f32, |a, b| (a != b) as u32),
            F32Lt => binop!(f32, |a, b| (a < b) as u32),
            F32Gt => binop!(f32, |a, b| (a > b) as u32),
            F32Le => binop!(f32, |a, b| (a <= b) as u32),
            F32Ge => binop!(f32, |a, b| (a >= b) as u32),
            F64Eq => binop!(f64, |a, b| (a == b) as u32),
            F64Ne => binop!(f64, |a, b| (a != b) as u32),
            F64Lt => binop!(f64, |a, b| (a < b) as u32),
            F64Gt => binop!(f64, |a, b| (a > b) as u32),
            F64Le => binop!(f64, |a, b| (a <= b) as u32),
            F64Ge => binop!(f64, |a, b| (a >= b) as u32),

            I32Clz => unop!(u32, |a: u32| a.leading_zeros()),
            I32Ctz => unop!(u32, |a: u32| a.trailing_zeros()),
            I32Popcnt => unop!(u32, |a: u32| a.count_ones()),
            I32Add => binop!(u32, |a: u32, b| a.wrapping_add(b)),
            I32Sub => binop!(u32, |a: u32, b| a.wrapping_sub(b)),
            I32Mul => binop!(u32, |a: u32, b| a.wrapping_mul(b)),
            I32DivS => binop_trap!(i32, ops::i32_div_s),
            I32DivU => binop_trap!(u32, ops::i32_div_u),
            I32RemS => binop_trap!(i32, ops::i32_rem_s),
            I32RemU => binop_trap!(u32, ops::i32_rem_u),
            I32And => binop!(u32, |a, b| a & b),
            I32Or => binop!(u32, |a, b| a | b),
            I32Xor => binop!(u32, |a, b| a ^ b),
            I32Shl => binop!(u32, |a: u32, b| a.wrapping_shl(b)),
            I32ShrS => binop!(i32, |a: i32, b| a.wrapping_shr(b as u32)),
            I32ShrU => binop!(u32, |a: u32, b| a.wrapping_shr(b)),
            I32Rotl => binop!(u32, |a: u32, b| a.rotate_left(b)),
            I32Rotr => binop!(u32, |a: u32, b| a.rotate_right(b)),
            I64Clz => unop!(u64, |a: u64| a.leading_zeros() as u64),
            I64Ctz => unop!(u64, |a: u64| a.trailing_zeros() as u64),
            I64Popcnt => unop!(u64, |a: u64| a.count_ones() as u64),
            I64Add => binop!(u64, |a: u64, b| a.wrapping_add(b)),
            I64Sub => binop!(u64, |a: u64, b| a.wrapping_sub(b)),
            I64Mul => binop!(u64, |a: u64, b| a.wrapping_mul(b)),
            I64DivS => binop_trap!(i64, ops::i64_div_s),
            I64DivU => binop_trap!(u64, ops::i64_div_u),
            I64RemS => binop_trap!(i64, ops::i64_rem_s),
            I64RemU => binop_trap!(u64, ops::i64_rem_u),
            I64And => binop!(u64, |a, b| a & b),
            I64Or => binop!(u64, |a, b| a | b),
            I64Xor => binop!(u64, |a, b| a ^ b),
            I64Shl => binop!(u64, |a: u64, b| a.wrapping_shl(b as u32)),
            I64ShrS => binop!(i64, |a: i64, b| a.wrapping_shr(b as u32)),
            I64ShrU => binop!(u64, |a: u64, b| a.wrapping_shr(b as u32)),
            I64Rotl => binop!(u64, |a: u64, b| a.rotate_left((b & 63) as u32)),
            I64Rotr => binop!(u64, |a: u64, b| a.rotate_right((b & 63) as u32)),

            F32Abs => unop!(u32, |a: u32| a & 0x7fff_ffff),
            F32Neg => unop!(u32, |a: u32| a ^ 0x8000_0000),
            F32Ceil => unop!(f32, ops::f32_ceil),
            F32Floor => unop!(f32, ops::f32_floor),
            F32Trunc => unop!(f32, ops::f32_trunc),
            F32Nearest => unop!(f32, ops::f32_nearest),
            F32Sqrt => unop!(f32, f32::sqrt),
            F32Add => binop!(f32, |a, b| a + b),
            F32Sub => binop!(f32, |a, b| a - b),
            F32Mul => binop!(f32, |a, b| a * b),
            F32Div => binop!(f32, |a, b| a / b),
            F32Min => binop!(f32, ops::f32_min),
            F32Max => binop!(f32, ops::f32_max),
            F32Copysign => binop!(u32, |a: u32, b: u32| (a & 0x7fff_ffff) | (b & 0x8000_0000)),
            F64Abs => unop!(u64, |a: u64| a & 0x7fff_ffff_ffff_ffff),
            F64Neg => unop!(u64, |a: u64| a ^ 0x8000_0000_0000_0000),
            F64Ceil => unop!(f64, ops::f64_ceil),
            F64Floor => unop!(f64, ops::f64_floor),
            F64Trunc => unop!(f64, ops::f64_trunc),
            F64Nearest => unop!(f64, ops::f64_nearest),
            F64Sqrt => unop!(f64, f64::sqrt),
            F64Add => binop!(f64, |a, b| a + b),
            F64Sub => binop!(f64, |a, b| a - b),
            F64Mul => binop!(f64, |a, b| a * b),
            F64Div => binop!(f64, |a, b| a / b),
            F64Min => binop!(f64, ops::f64_min),
            F64Max => binop!(f64, ops::f64_max),
            F64Copysign => binop!(u64, |a: u64, b: u64| (a & 0x7fff_ffff_ffff_ffff) | (b & 0x8000_0000_0000_0000)),

            // Not emitted by the translator (see `Slot`), kept for completeness.
            I32WrapI64 => unop!(u64, |a: u64| a as u32),
            I32TruncF32S => unop_trap!(f32, ops::i32_trunc_f32_s),
            I32TruncF32U => unop_trap!(f32, ops::i32_trunc_f32_u),
            I32TruncF64S => unop_trap!(f64, ops::i32_trunc_f64_s),
            I32TruncF64U => unop_trap!(f64, ops::i32_trunc_f64_u),
            I64ExtendI32S => unop!(i32, |a: i32| a as i64),
            I64ExtendI32U => unop!(u32, |a: u32| a as u64),
            I64TruncF32S => unop_trap!(f32, ops::i64_trunc_f32_s),
            I64TruncF32U => unop_trap!(f32, ops::i64_trunc_f32_u),
            I64TruncF64S => unop_trap!(f64, ops::i64_trunc_f64_s),
            I64TruncF64U => unop_trap!(f64, ops::i64_trunc_f64_u),
            F32ConvertI32S => unop!(i32, |a: i32| a as f32),
            F32ConvertI32U => unop!(u32, |a: u32| a as f32),
            F32ConvertI64S => unop!(i64, |a: i64| a as f32),
            F32ConvertI64U => unop!(u64, |a: u64| a as f32),
            F32DemoteF64 => unop!(f64, |a: f64| a as f32),
            F64ConvertI32S => unop!(i32, |a: i32| a as f64),
            F64ConvertI32U => unop!(u32, |a: u32| a as f64),
            F64ConvertI64S => unop!(i64, |a: i64| a as f64),
            F64ConvertI64U => unop!(u64, |a: u64| a as f64),
            F64PromoteF32 => unop!(f32, |a: f32| a as f64),
            // Slots hold raw bits, so reinterpretation moves nothing.
            I32ReinterpretF32 => {},
            F32ReinterpretI32 => {},
            I64ReinterpretF64 => {},
            F64ReinterpretI64 => {},
            I32Extend8S => unop!(u32, |a: u32| a as i8 as i32 as u32),
            I32Extend16S => unop!(u32, |a: u32| a as i16 as i32 as u32),
            I64Extend8S => unop!(u64, |a: u64| a as i8 as i64 as u64),
            I64Extend16S => unop!(u64, |a: u64| a as i16 as i64 as u64),
            I64Extend32S => unop!(u64, |a: u64| a as i32 as i64 as u64),
            // Rust's float-to-int `as` saturates and maps NaN to 0: exactly trunc_sat.
            I32TruncSatF32S => unop!(f32, |a: f32| a as i32),
            I32TruncSatF32U => unop!(f32, |a: f32| a as u32),
            I32TruncSatF64S => unop!(f64, |a: f64| a as i32),
            I32TruncSatF64U => unop!(f64, |a: f64| a as u32),
            I64TruncSatF32S => unop!(f32, |a: f32| a as i64),
            I64TruncSatF32U => unop!(f32, |a: f32| a as u64),
            I64TruncSatF64S => unop!(f64, |a: f64| a as i64),
            I64TruncSatF64U => unop!(f64, |a: f64| a as u64),
        }
    };
}

/// Helpers every backend shares, built on its state macros.
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

/// A load of `$n` bytes from the address on top of the stack, bounds-checked.
macro_rules! load {
    ($offset:expr, $n:literal, $conv:expr) => {{
        let v = load_from!(top!(), $offset, $n, $conv);
        top!() = v;
    }};
}

/// The slot value of a load of `$n` bytes from `$addr + $offset`, bounds-checked (traps when
/// out of bounds).
macro_rules! load_from {
    ($addr:expr, $offset:expr, $n:literal, $conv:expr) => {{
        match ea($addr, $offset, $n, mem_len!()) {
            // SAFETY: `ea` checked that `$n` bytes at `a` lie inside the memory.
            Some(a) => {
                let bytes = std::ptr::read_unaligned(mem_base!().add(a) as *const [u8; $n]);
                Slot::to_slot($conv(bytes))
            }
            None => trap!(TrapCode::MemoryOutOfBounds),
        }
    }};
}

/// A store of `$n` bytes: value on top, address below it, bounds-checked.
macro_rules! store_mem {
    ($offset:expr, $n:literal, $bytes:expr) => {{
        let v = pop!();
        let addr = pop!();
        store_to!(addr, $offset, $n, $bytes, v)
    }};
}

/// A store of `$n` bytes of slot value `$v` at `$addr + $offset`, bounds-checked.
macro_rules! store_to {
    ($addr:expr, $offset:expr, $n:literal, $bytes:expr, $v:expr) => {{
        let v: u64 = $v;
        match ea($addr, $offset, $n, mem_len!()) {
            // SAFETY: `ea` checked that `$n` bytes at `a` lie inside the memory.
            Some(a) => {
                let b: [u8; $n] = $bytes(v);
                std::ptr::write_unaligned(mem_base!().add(a) as *mut [u8; $n], b);
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
            move_slots(top.sub(k), top.sub(k + d), k);
            set_sp!(top.sub(d));
            reload!();
        }
    }};
}

//! The translator's virtual operand stack: an operator whose left operand a `local.get` pushed,
//! with other code computing the right operand in between, reads the local itself. These tests
//! pin when that happens (the disassembly) and that the result is what the Wasm means, also in
//! the cases where the local's value must be kept first (the local is written, or a branch
//! leaves, in between).

use wisp::{Engine, Linker, Module, Store};

fn wat(src: &str) -> Vec<u8> {
    let buf = wast::parser::ParseBuffer::new(src).expect("lex");
    let mut w: wast::Wat = wast::parser::parse(&buf).expect("parse");
    w.encode().expect("encode")
}

const MODULE: &str = r#"(module
  (memory 1)
  ;; a - (b << 3): the subtraction reads local 0 itself.
  (func (export "sub_shl") (param i32 i32) (result i32)
    (i32.sub (local.get 0) (i32.shl (local.get 1) (i32.const 3))))
  ;; The left local is overwritten while the right operand is computed: the value pushed
  ;; before the write must be used.
  (func (export "written_between") (param i32 i32) (result i32)
    (i32.sub (local.get 0) (block (result i32) (local.set 0 (i32.const 1000)) (i32.mul (local.get 1) (i32.const 2)))))
  ;; local.tee of the same local in between.
  (func (export "teed_between") (param i32 i32) (result i32)
    (i32.sub (local.get 0) (i32.add (local.tee 0 (local.get 1)) (i32.const 1))))
  ;; A branch out of the right operand's code: the block's result is the pushed local.
  (func (export "branch_between") (param i32 i32) (result i32)
    (block (result i32)
      (i32.sub (local.get 0) (i32.add (br_if 1 (local.get 0) (local.get 1)) (i32.const 1)))))
  ;; Store with the address from a local and the value computed: mem[a] = b * 3 + 1.
  (func (export "store_at") (param i32 i32) (result i32)
    (i32.store offset=4 (local.get 0) (i32.add (i32.mul (local.get 1) (i32.const 3)) (i32.const 1)))
    (i32.load offset=4 (local.get 0)))
  ;; Loads fused with their address computation: the add wraps at 32 bits before the offset
  ;; applies, so 0 + (-4) + offset 4 is out of bounds, not address 0.
  (func (export "load_local_add") (param i32) (result i32)
    (i32.load offset=4 (i32.add (local.get 0) (i32.const -4))))
  (func (export "load_add") (param i32) (result i32)
    (i32.load16_s offset=4 (i32.add (i32.mul (local.get 0) (i32.const 1)) (i32.const -4))))
  ;; Go's resume dispatch: a loop whose header is `local.get $pc; br_table`, re-entered by
  ;; `local.set $pc (i32.const k); br $top`. The jumps go straight to case k.
  (func (export "resume") (param i32) (result i32) (local $pc i32) (local $acc i32)
    (local.set $pc (local.get 0))
    (loop $top
      (block $b2 (block $b1 (block $b0
        (br_table $b0 $b1 $b2 (local.get $pc)))
        (local.set $acc (i32.add (local.get $acc) (i32.const 1)))
        (local.set $pc (i32.const 2)) (br $top))
      (local.set $acc (i32.add (local.get $acc) (i32.const 10)))
      (local.set $pc (i32.const 0)) (br $top)))
    (local.get $acc))
  ;; Go's address arithmetic: (i32.wrap_i64 (i64.add (i64.extend_i32_u x) (i64.const c))).
  (func (export "go_addr") (param i32) (result i64)
    (i64.load (i32.wrap_i64 (i64.add (i64.extend_i32_u (local.get 0)) (i64.const 8)))))
  ;; Go's stack-pointer adjustment at function entry, one instruction.
  (global $sp (mut i32) (i32.const 1024))
  (func (export "sp_adjust") (param i32) (result i32)
    (local.set 0 (global.get $sp))
    (global.set $sp (local.tee 0 (i32.sub (local.get 0) (i32.const 16))))
    (i32.add (local.get 0) (global.get $sp)))
  ;; Compare-and-branch against a constant, the operand a local: the i64 constant is kept
  ;; whole, whether or not it would survive a narrowing to 32 bits.
  (func (export "lt_neg5") (param i64) (result i32)
    (block (br_if 0 (i64.lt_s (local.get 0) (i64.const -5))) (return (i32.const 0)))
    (i32.const 1))
  (func (export "lt_2p32") (param i64) (result i32)
    (block (br_if 0 (i64.lt_s (local.get 0) (i64.const 0x100000000))) (return (i32.const 0)))
    (i32.const 1))
  ;; Stores of constants to an address in a local.
  (func (export "store_consts") (param i32) (result i64)
    (i64.store (local.get 0) (i64.const -2))
    (i32.store8 offset=9 (local.get 0) (i32.const 0x1ff))
    (i64.load (local.get 0)))
  ;; A compare-and-branch whose left operand is a local pushed before the right one's code:
  ;; a < b + 1 becomes (b + 1) > a, the local read in place.
  (func (export "lt_deferred") (param i32 i32) (result i32)
    (block (br_if 0 (i32.lt_s (local.get 0) (i32.add (local.get 1) (i32.const 1)))) (return (i32.const 0)))
    (i32.const 1))
  ;; An out-of-bounds address in the local still traps.
  (func (export "store_at_oob") (param i32 i32)
    (i64.store (local.get 0) (i64.extend_i32_u (i32.add (local.get 1) (i32.const 1)))))
  ;; 15: stores addressed by a local plus a constant, of a local and of a constant; the address
  ;; wraps at 32 bits (no offset to fold it into), then reads both back.
  (func (export "store_local_add") (param i32 i32) (result i64)
    (i32.store (i32.add (local.get 0) (i32.const 8)) (local.get 1))
    (i32.store8 (i32.add (local.get 0) (i32.const 12)) (i32.const 0x1ab))
    (i64.load (i32.add (local.get 0) (i32.const 8))))
  ;; 16: divisions in their fused forms: two locals into a local (LLSet), a deferred left
  ;; local over a computed divisor (LS), a result teed (Tee); each may trap.
  (func (export "divs") (param i32 i32) (result i32) (local i32)
    (local.set 2 (i32.div_s (local.get 0) (local.get 1)))
    (i32.add
      (i32.rem_u (local.get 0) (i32.add (local.get 1) (i32.const 1)))
      (i32.add (local.tee 2 (i32.div_u (i32.mul (local.get 2) (i32.const 1)) (local.get 1))) (local.get 2))))
  ;; 17: Go's return: frees its frame (+16), pops its return address (- -8), returns its unwind
  ;; flag. The two adjustments and the return with its constant are one instruction.
  (func (export "go_return") (param i32) (result i32)
    (local.set 0 (global.get $sp))
    (global.set $sp (local.tee 0 (i32.add (local.get 0) (i32.const 16))))
    (global.set $sp (local.tee 0 (i32.sub (local.get 0) (i32.const -8))))
    (return (i32.const 0)))
  ;; 18: Go's call and unwind check, twice; then the stack pointer.
  (func (export "go_caller") (result i32)
    (if (call 17 (i32.const 0)) (then (return (i32.const 1))))
    (if (call 17 (i32.const 3)) (then (return (i32.const 1))))
    (global.get $sp))
  ;; 19: a returned constant is its slot's bits: zero-extended when it fits in 32, else pushed.
  (func (export "ret_const") (param i32) (result i64)
    (if (local.get 0) (then (return (i64.const 0xffffffff))))
    (return (i64.const -1)))
  ;; 20: a Go function's resume dispatch at its top: the stack pointer copied from its global,
  ;; then the `br_table` on the resume point. Case 0 is a call; the others resume.
  (func $resumable (param i32) (result i32) (local $s i32)
    (local.set $s (global.get $sp))
    (block $b2 (block $b1 (block $b0
      (br_table $b0 $b1 $b2 (local.get 0)))
      (return (i32.add (local.get $s) (i32.add (local.get 0) (i32.const 100)))))
    (return (i32.add (local.get $s) (i32.add (local.get 0) (i32.const 200)))))
    (i32.add (local.get $s) (local.get 0)))
  ;; 21: calls it at resume points 0, 1 and 5 with the stack pointer at `sp`.
  (func (export "go_enter") (param $sp i32) (result i32)
    (global.set $sp (local.get $sp))
    (i32.add (call $resumable (i32.const 0))
      (i32.add (i32.mul (call $resumable (i32.const 1)) (i32.const 10))
        (i32.mul (call $resumable (i32.const 5)) (i32.const 100)))))
  ;; 22: Go's call as Go writes it: room for the return address below the stack pointer, the
  ;; address stored there, the callee (23) called at resume point 0, the unwind flag checked;
  ;; then the stack pointer twice plus the stored address's low half.
  (func (export "go_call") (param $sp i32) (result i32) (local $s i32)
    (global.set $sp (local.get $sp))
    (local.set $s (global.get $sp))
    (global.set $sp (local.tee $s (i32.sub (local.get $s) (i32.const 8))))
    (i64.store (local.get $s) (i64.const 0x12345678))
    (if (call $zero (i32.const 0)) (then (return (i32.const -1))))
    (i32.add (i32.add (global.get $sp) (local.get $s)) (i32.load (global.get $sp))))
  ;; 23: a Go function that does not unwind.
  (func $zero (param i32) (result i32) (i32.const 0))
)"#;

/// `MODULE` on the given backend, with fuel (a million units) or without.
fn setup_on(dispatch: wisp::Dispatch, fuel: bool) -> (Module, Store<()>, wisp::Instance) {
    instantiate_on(MODULE, dispatch, fuel)
}

/// Module `src` instantiated on the given backend, with fuel (a million units) or without.
fn instantiate_on(src: &str, dispatch: wisp::Dispatch, fuel: bool) -> (Module, Store<()>, wisp::Instance) {
    let mut config = wisp::Config::new();
    config.dispatch(dispatch).consume_fuel(fuel);
    let engine = Engine::new(&config);
    let module = Module::new(&engine, wat(src)).expect("valid");
    let mut store = Store::new(&engine, ());
    if fuel {
        store.set_fuel(1_000_000).unwrap();
    }
    let inst = Linker::new(&engine).instantiate(&mut store, &module).expect("instantiate");
    (module, store, inst)
}

fn setup() -> (Module, Store<()>, wisp::Instance) {
    let engine = Engine::default();
    let module = Module::new(&engine, wat(MODULE)).expect("valid");
    let mut store = Store::new(&engine, ());
    let inst = Linker::new(&engine).instantiate(&mut store, &module).expect("instantiate");
    (module, store, inst)
}

fn call2(store: &mut Store<()>, inst: &wisp::Instance, name: &str, a: i32, b: i32) -> i32 {
    inst.get_typed_func::<(i32, i32), i32>(&*store, name).unwrap().call(store, (a, b)).unwrap()
}

#[test]
fn left_local_is_read_in_place() {
    let (module, mut store, inst) = setup();
    let code = module.disassemble(0).unwrap();
    assert!(code.contains("I32Sub_LS { a: 0 }"), "{code}");
    assert!(!code.contains("LocalGet { index: 0 }"), "{code}");
    assert_eq!(call2(&mut store, &inst, "sub_shl", 100, 5), 60);
    assert_eq!(call2(&mut store, &inst, "sub_shl", 0, 1), -8);
}

#[test]
fn a_write_in_between_keeps_the_pushed_value() {
    let (module, mut store, inst) = setup();
    for f in [1, 2] {
        let code = module.disassemble(f).unwrap();
        assert!(!code.contains("Sub_LS"), "func {f}: {code}");
    }
    assert_eq!(call2(&mut store, &inst, "written_between", 50, 7), 36);
    assert_eq!(call2(&mut store, &inst, "teed_between", 50, 7), 42);
}

#[test]
fn a_branch_in_between_keeps_the_stack_layout() {
    let (module, mut store, inst) = setup();
    let code = module.disassemble(3).unwrap();
    assert!(!code.contains("Sub_LS"), "{code}");
    // Branch taken: the block yields local 0.
    assert_eq!(call2(&mut store, &inst, "branch_between", 9, 1), 9);
    // Not taken: br_if passes its value on, 9 - (9 + 1).
    assert_eq!(call2(&mut store, &inst, "branch_between", 9, 0), -1);
}

#[test]
fn store_address_from_a_local() {
    let (module, mut store, inst) = setup();
    let code = module.disassemble(4).unwrap();
    assert!(code.contains("I32Store_LS { addr: 0, offset: 4 }"), "{code}");
    assert_eq!(call2(&mut store, &inst, "store_at", 16, 6), 19);
    let oob = inst.get_typed_func::<(i32, i32), ()>(&store, "store_at_oob").unwrap();
    assert!(oob.call(&mut store, (65536 - 8, 1)).is_ok());
    let err = oob.call(&mut store, (65536 - 7, 1)).unwrap_err();
    assert!(err.to_string().contains("out of bounds"), "{err}");
    // The store still works after the trap.
    assert_eq!(call2(&mut store, &inst, "store_at", 0, 2), 7);
}

#[test]
fn fused_load_address_wraps_before_the_offset() {
    let (module, mut store, inst) = setup();
    // The local and the constant go into the load, added (with wrap-around) before the offset.
    let code = module.disassemble(5).unwrap();
    assert!(code.contains("I32Load_A { addr: 0, add: 4294967292, offset: 4 }"), "{code}");
    assert!(module.disassemble(6).unwrap().contains("I32Load16S_S { offset: 4 }"));
    for name in ["load_local_add", "load_add"] {
        let f = inst.get_typed_func::<i32, i32>(&store, name).unwrap();
        // store_at writes x * 3 + 1 at 4 + 4; the loads read it back at 8 - 4 + 4.
        inst.get_typed_func::<(i32, i32), i32>(&store, "store_at").unwrap().call(&mut store, (4, 0x2aaa_aaaa)).unwrap();
        let v = f.call(&mut store, 8).unwrap();
        let want = if name == "load_add" {
            (0x2aaa_aaaa_u32.wrapping_mul(3).wrapping_add(1)) as u16 as i16 as i32
        } else {
            0x2aaa_aaaa_u32.wrapping_mul(3).wrapping_add(1) as i32
        };
        assert_eq!(v, want, "{name}");
        let err = f.call(&mut store, 0).unwrap_err();
        assert!(err.to_string().contains("out of bounds"), "{name}: {err}");
    }
}

/// The instruction index and text of each disassembled line.
fn lines(code: &str) -> Vec<(usize, String)> {
    code.lines()
        .skip(1)
        .map(|l| {
            let (i, text) = l.split_once(':').unwrap();
            (i.trim().parse().unwrap(), text.trim().to_string())
        })
        .collect()
}

#[test]
fn go_resume_jumps_skip_the_dispatch() {
    let (module, mut store, inst) = setup();
    let code = module.disassemble(7).unwrap();
    let lines = lines(&code);
    let header = lines.iter().find(|(_, t)| t.starts_with("BrTableLocal { index: 1")).expect("dispatch on the local").0;
    let jumps: Vec<&String> = lines.iter().map(|(_, t)| t).filter(|t| t.starts_with("LocalSetImmBr")).collect();
    assert_eq!(jumps.len(), 2, "{code}");
    for j in jumps {
        assert!(!j.contains(&format!("target: {header} ")), "a resume jump still goes through the dispatch: {code}");
    }
    let f = inst.get_typed_func::<i32, i32>(&store, "resume").unwrap();
    assert_eq!(f.call(&mut store, 0).unwrap(), 1);
    assert_eq!(f.call(&mut store, 1).unwrap(), 11);
    assert_eq!(f.call(&mut store, 2).unwrap(), 0);
    assert_eq!(f.call(&mut store, 7).unwrap(), 0);
}

#[test]
fn go_address_arithmetic_is_a_32_bit_add() {
    let (module, mut store, inst) = setup();
    let code = module.disassemble(8).unwrap();
    // `i64.extend_i32_u; i64.const 8; i64.add; i32.wrap_i64` is a 32-bit add.
    assert!(code.contains("I64Load_A { addr: 0, add: 8, offset: 0 }") && !code.contains("Extend"), "{code}");
    inst.get_typed_func::<(i32, i32), i32>(&store, "store_at").unwrap().call(&mut store, (8, 5)).unwrap();
    let f = inst.get_typed_func::<i32, i64>(&store, "go_addr").unwrap();
    assert_eq!(f.call(&mut store, 4).unwrap(), 16);
    // 0xffff_fff8 + 8 wraps to address 0 in i32.wrap_i64 (no trap), unlike an offset would.
    assert_eq!(f.call(&mut store, -8).unwrap(), 0);
}

#[test]
fn go_stack_pointer_adjustment_is_one_instruction() {
    let (module, mut store, inst) = setup();
    let code = module.disassemble(9).unwrap();
    assert!(code.contains("SpAdjust { local: 0, imm: 4294967280, global: 0 }"), "{code}");
    let f = inst.get_typed_func::<i32, i32>(&store, "sp_adjust").unwrap();
    assert_eq!(f.call(&mut store, 0).unwrap(), 2 * 1008);
    assert_eq!(f.call(&mut store, 0).unwrap(), 2 * 992);
}

#[test]
fn constants_of_64_bits_kept_whole() {
    let (module, mut store, inst) = setup();
    let fits = module.disassemble(10).unwrap();
    assert!(fits.contains("I64LtS_LI_Br { a: 0, imm: 18446744073709551611,"), "{fits}");
    let wide = module.disassemble(11).unwrap();
    assert!(wide.contains("I64LtS_LI_Br { a: 0, imm: 4294967296,"), "{wide}");
    let lt_neg5 = inst.get_typed_func::<i64, i32>(&store, "lt_neg5").unwrap();
    assert_eq!(lt_neg5.call(&mut store, -6).unwrap(), 1);
    assert_eq!(lt_neg5.call(&mut store, -5).unwrap(), 0);
    assert_eq!(lt_neg5.call(&mut store, 0xffff_fffa).unwrap(), 0);
    let lt_2p32 = inst.get_typed_func::<i64, i32>(&store, "lt_2p32").unwrap();
    assert_eq!(lt_2p32.call(&mut store, 0xffff_ffff).unwrap(), 1);
    assert_eq!(lt_2p32.call(&mut store, 0x1_0000_0000).unwrap(), 0);
    assert_eq!(lt_2p32.call(&mut store, -1).unwrap(), 1);
    let code = module.disassemble(12).unwrap();
    assert!(code.contains("I64Store_LI { addr: 0, imm: 18446744073709551614, offset: 0 }"), "{code}");
    assert!(code.contains("I32Store8_LI { addr: 0, imm: 511, offset: 9 }"), "{code}");
    let f = inst.get_typed_func::<i32, i64>(&store, "store_consts").unwrap();
    assert_eq!(f.call(&mut store, 32).unwrap(), -2);
    let byte = inst.get_typed_func::<i32, i32>(&store, "load_local_add").unwrap();
    // load_local_add reads 4 bytes at x - 4 + 4: bytes 41..45 hold 0xff then zeros.
    assert_eq!(byte.call(&mut store, 41).unwrap(), 0xff);
}

#[test]
fn compare_with_a_deferred_left_local_is_mirrored() {
    let (module, mut store, inst) = setup();
    let code = module.disassemble(13).unwrap();
    assert!(code.contains("I32GtS_SL_Br { b: 0"), "{code}");
    assert!(!code.contains("LocalGet { index: 0 }"), "{code}");
    let f = inst.get_typed_func::<(i32, i32), i32>(&store, "lt_deferred").unwrap();
    assert_eq!(f.call(&mut store, (3, 3)).unwrap(), 1);
    assert_eq!(f.call(&mut store, (4, 3)).unwrap(), 0);
    assert_eq!(f.call(&mut store, (-5, -6)).unwrap(), 0);
    assert_eq!(f.call(&mut store, (-6, -6)).unwrap(), 1);
}

#[test]
fn stores_at_a_local_plus_a_constant() {
    let (module, mut store, inst) = setup();
    let code = module.disassemble(15).unwrap();
    assert!(code.contains("I32Store_AL { addr: 0, add: 8, value: 1, offset: 0 }"), "{code}");
    assert!(code.contains("I32Store8_AI { addr: 0, add: 12, imm: 427, offset: 0 }"), "{code}");
    let f = inst.get_typed_func::<(i32, i32), i64>(&store, "store_local_add").unwrap();
    // Bytes 8..12 hold the i32, byte 12 the low byte of 0x1ab, 13..16 stay zero.
    assert_eq!(f.call(&mut store, (0, -2)).unwrap(), 0xab_ffff_fffe);
    // -8 + 8 wraps to address 0: in bounds, where an offset of 8 would have trapped.
    assert_eq!(f.call(&mut store, (-8, 7)).unwrap(), 0xab_0000_0007);
    let err = f.call(&mut store, (65536 - 10, 1)).unwrap_err();
    assert!(err.to_string().contains("out of bounds"), "{err}");
}

#[test]
fn divisions_fuse_and_still_trap() {
    let (module, mut store, inst) = setup();
    let code = module.disassemble(16).unwrap();
    for form in ["I32DivS_LL_Set { a: 0, b: 1, dst: 2 }", "I32RemU_LS { a: 0 }", "I32DivU_SL_Set { b: 1, dst: 2 }"] {
        assert!(code.contains(form), "{form}: {code}");
    }
    let f = inst.get_typed_func::<(i32, i32), i32>(&store, "divs").unwrap();
    // 100 / 7 = 14; 100 % 8 = 4; (14 / 7 = 2) teed, so 4 + 2 + 2.
    assert_eq!(f.call(&mut store, (100, 7)).unwrap(), 8);
    // -100 / 7 = -14 (signed); -100 as u32 % 8 = 4; 0xffff_fff2 / 7 = 613566754.
    assert_eq!(f.call(&mut store, (-100, 7)).unwrap(), 4 + 2 * 613_566_754);
    let err = f.call(&mut store, (1, 0)).unwrap_err();
    assert!(err.to_string().contains("divide by zero"), "{err}");
    let err = f.call(&mut store, (i32::MIN, -1)).unwrap_err();
    assert!(err.to_string().contains("overflow"), "{err}");
    // The remainder's divisor is local 1 + 1: zero for -1, after the first division passed.
    let err = f.call(&mut store, (5, -1)).unwrap_err();
    assert!(err.to_string().contains("divide by zero"), "{err}");
}

#[test]
fn go_returns_join_their_adjustments_and_return_the_constant() {
    for dispatch in [wisp::Dispatch::Portable, wisp::Dispatch::Threaded] {
        // With fuel, every operator of the joined return is still charged: go_return runs
        // global.get, local.set, twice local.get, i32.const, add (sub), local.tee and
        // global.set, then i32.const and return (14).
        let (_, mut store, inst) = setup_on(dispatch, true);
        let f = inst.get_typed_func::<i32, i32>(&store, "go_return").unwrap();
        let before = store.get_fuel().unwrap();
        assert_eq!(f.call(&mut store, 5).unwrap(), 0);
        assert_eq!(before - store.get_fuel().unwrap(), 14, "{dispatch:?}");
        let (module, mut store, inst) = setup_on(dispatch, false);
        let code = module.disassemble(17).unwrap();
        assert_eq!(code.matches("SpAdjust").count(), 1, "{code}");
        assert!(code.contains("SpAdjustReturnImm { local: 0, global: 0, imm: 24, value: 0 }"), "{code}");
        assert!(!code.contains("Const32") && !code.contains(": ReturnImm {"), "{code}");
        let caller = inst.get_typed_func::<(), i32>(&store, "go_caller").unwrap();
        // Each call moves the stack pointer up by 16 + 8 and returns 0 (no unwinding).
        assert_eq!(caller.call(&mut store, ()).unwrap(), 1024 + 48);
        assert_eq!(caller.call(&mut store, ()).unwrap(), 1024 + 96);
        let code = module.disassemble(19).unwrap();
        assert!(code.contains("ReturnImm { value: 4294967295 }") && code.contains("Const64"), "{code}");
        let f = inst.get_typed_func::<i32, i64>(&store, "ret_const").unwrap();
        assert_eq!(f.call(&mut store, 1).unwrap(), 0xffff_ffff);
        assert_eq!(f.call(&mut store, 0).unwrap(), -1);
    }
}

#[test]
fn go_calls_enter_past_the_resume_dispatch_with_its_meaning() {
    for (dispatch, fuel) in [
        (wisp::Dispatch::Portable, false),
        (wisp::Dispatch::Threaded, false),
        (wisp::Dispatch::Portable, true),
        (wisp::Dispatch::Threaded, true),
    ] {
        let (module, mut store, inst) = setup_on(dispatch, fuel);
        let code = module.disassemble(20).unwrap();
        let lines = lines(&code);
        if !fuel {
            // The shape a call at resume point 0 enters past.
            assert!(lines[0].1.starts_with("GlobalGetSet { index: 0, dst: 1 }"), "{code}");
            assert!(lines[1].1.starts_with("BrTableLocal { index: 0, len: 2 }"), "{code}");
        }
        let caller = module.disassemble(21).unwrap();
        assert_eq!(caller.matches("CallImm").count(), 3, "{caller}");
        let f = inst.get_typed_func::<i32, i32>(&store, "go_enter").unwrap();
        // Case 0: sp + 0 + 100; case 1: sp + 1 + 200; 5 is past the table: its default, sp + 5.
        let expect = |sp: i32| (sp + 100) + (sp + 201) * 10 + (sp + 5) * 100;
        // The first run translates the callee at its first call, the second enters it inline.
        for sp in [1000, 2048, 4096] {
            assert_eq!(f.call(&mut store, sp).unwrap(), expect(sp), "{dispatch:?}, fuel {fuel}");
        }
    }
}

#[test]
fn go_calls_store_their_return_address_and_enter_the_callee() {
    for dispatch in [wisp::Dispatch::Portable, wisp::Dispatch::Threaded] {
        let (module, mut store, inst) = setup_on(dispatch, false);
        let code = module.disassemble(22).unwrap();
        assert!(code.contains("GoCall { local: 1, global: 0, func: 23, ret: 305419896 }"), "{code}");
        assert!(!code.contains("SpAdjust") && !code.contains("I64Store"), "{code}");
        let f = inst.get_typed_func::<i32, i32>(&store, "go_call").unwrap();
        for sp in [1024, 4096, 65536] {
            assert_eq!(f.call(&mut store, sp).unwrap(), 2 * (sp - 8) + 0x12345678, "{dispatch:?}");
        }
        // A stack pointer past the memory: the store traps; one wrapping below 0 too.
        for sp in [65536 + 16, 4] {
            let err = f.call(&mut store, sp).unwrap_err();
            assert!(err.to_string().contains("out of bounds"), "{dispatch:?}: {err}");
        }
    }
}

/// `c + a * b` and `c - a * b` as one instruction: the addend below the product is read
/// before anything in the product writes its local, an integer addend after the product
/// (`a * b + c`) after it, and a float result keeps both roundings (a fused multiply-add
/// would not).
#[test]
fn products_added_read_the_addend_when_the_operators_do() {
    const M: &str = r#"(module
      (func (export "after") (param i32 i32 i32) (result i32)
        (i32.add (i32.mul (local.tee 2 (local.get 0)) (local.get 1)) (local.get 2)))
      (func (export "below") (param i64 i64 i64) (result i64)
        (i64.add (local.get 2) (i64.mul (local.tee 2 (local.get 0)) (local.get 1))))
      (func (export "wide") (param i64 i64 i64) (result i64)
        (local.set 2 (i64.add (local.get 2) (i64.mul (local.get 0) (local.get 1)))) (local.get 2))
      (func (export "exact") (param f64 f64 f64) (result f64)
        (f64.add (local.get 2) (f64.mul (local.get 0) (local.get 1)))))"#;
    for dispatch in [wisp::Dispatch::Portable, wisp::Dispatch::Threaded] {
        let mut config = wisp::Config::new();
        config.dispatch(dispatch);
        let engine = Engine::new(&config);
        let module = Module::new(&engine, wat(M)).expect("valid");
        for f in 0..4 {
            let code = module.disassemble(f).unwrap();
            assert!(code.contains("AddMul_") || code.contains("SubMul_"), "{code}");
            assert!(!code.contains("Mul_SS") && !code.contains("Mul_LL "), "{code}");
        }
        let mut store = Store::new(&engine, ());
        let inst = Linker::new(&engine).instantiate(&mut store, &module).expect("instantiate");
        let after = inst.get_typed_func::<(i32, i32, i32), i32>(&store, "after").unwrap();
        assert_eq!(after.call(&mut store, (7, -3, 1000)).unwrap(), 7 * -3 + 7);
        assert_eq!(after.call(&mut store, (0x4000_0000, 4, 5)).unwrap(), 0x4000_0000);
        let below = inst.get_typed_func::<(i64, i64, i64), i64>(&store, "below").unwrap();
        assert_eq!(below.call(&mut store, (7, -3, 1000)).unwrap(), 1000 - 21);
        assert_eq!(below.call(&mut store, (i64::MIN, -1, 1)).unwrap(), i64::MIN + 1);
        let wide = inst.get_typed_func::<(i64, i64, i64), i64>(&store, "wide").unwrap();
        let (a, b, c) = (0x0123_4567_89ab_cdef_i64, 6364136223846793005_i64, -17_i64);
        assert_eq!(wide.call(&mut store, (a, b, c)).unwrap(), c.wrapping_add(a.wrapping_mul(b)));
        let exact = inst.get_typed_func::<(f64, f64, f64), f64>(&store, "exact").unwrap();
        // (1 + 2^-52)^2 rounds to 1 + 2^-51, so the sum is 0; fused, it would be 2^-104.
        let x = f64::from_bits(0x3ff0_0000_0000_0001);
        assert_eq!(exact.call(&mut store, (x, x, -f64::from_bits(0x3ff0_0000_0000_0002))).unwrap().to_bits(), 0);
        assert!(exact.call(&mut store, (f64::INFINITY, 0.0, 1.0)).unwrap().is_nan());
    }
}

/// `c op (a shift k)` as one instruction: the other operand below the shift or a `local.get`
/// right after it, read before the result is written (here into the shifted local itself), the
/// count taken modulo the width; a subtraction (not commutative) keeps its two instructions.
#[test]
fn shifted_operands_read_both_operands_when_the_operators_do() {
    const M: &str = r#"(module
      (func (export "after") (param i64 i64) (result i64)
        (i64.xor (i64.shr_u (local.get 0) (i64.const 17)) (local.get 1)))
      (func (export "below") (param i32 i32) (result i32)
        (local.set 1 (i32.xor (local.get 0) (i32.shl (local.get 1) (i32.const 40)))) (local.get 1))
      (func (export "tee") (param i64 i64) (result i64)
        (i64.add (local.tee 0 (i64.add (local.get 1) (i64.shr_s (local.get 0) (i64.const 3)))) (local.get 0)))
      (func (export "sub") (param i32 i32) (result i32)
        (i32.sub (local.get 1) (i32.shl (local.get 0) (i32.const 2)))))"#;
    for dispatch in [wisp::Dispatch::Portable, wisp::Dispatch::Threaded] {
        let mut config = wisp::Config::new();
        config.dispatch(dispatch);
        let engine = Engine::new(&config);
        let module = Module::new(&engine, wat(M)).expect("valid");
        for (f, form) in [(0, "I64XorShrU_LL"), (1, "I32XorShl_LL_Set"), (2, "I64AddShrS_LL")] {
            let code = module.disassemble(f).unwrap();
            assert!(code.contains(form), "{code}");
        }
        let sub = module.disassemble(3).unwrap();
        assert!(sub.contains("I32Shl_LI") && sub.contains("I32Sub_"), "{sub}");
        let mut store = Store::new(&engine, ());
        let inst = Linker::new(&engine).instantiate(&mut store, &module).expect("instantiate");
        let after = inst.get_typed_func::<(i64, i64), i64>(&store, "after").unwrap();
        let (a, b) = (0x0123_4567_89ab_cdef_i64, -0x5555_i64);
        assert_eq!(after.call(&mut store, (a, b)).unwrap(), ((a as u64 >> 17) as i64) ^ b);
        let below = inst.get_typed_func::<(i32, i32), i32>(&store, "below").unwrap();
        // A count of 40 shifts by 8.
        assert_eq!(below.call(&mut store, (0x11, 0x0102_0304)).unwrap(), 0x0203_0411);
        let tee = inst.get_typed_func::<(i64, i64), i64>(&store, "tee").unwrap();
        let t = 1000 + (-64_i64 >> 3);
        assert_eq!(tee.call(&mut store, (-64, 1000)).unwrap(), t + t);
        let sub = inst.get_typed_func::<(i32, i32), i32>(&store, "sub").unwrap();
        assert_eq!(sub.call(&mut store, (3, 100)).unwrap(), 88);
    }
}

/// A comparison's or test's result extended (`i64.extend_i32_u`) is itself and under `eqz` its
/// negation: Go's `if b` on a bool computed as `x == 0` is `i64.eqz; i64.extend_i32_u; i64.eqz;
/// i32.eqz; if`, one instruction. Each function returns what the Wasm means (computed here by
/// hand), with fuel charged for every operator as if nothing were joined.
#[test]
fn extended_and_negated_tests_are_one_instruction() {
    const M: &str = r#"(module
      ;; 0: Go's `if x == 0`, through a bool: 1 when x is zero.
      (func (export "go_if") (param i64) (result i32)
        (if (i32.eqz (i64.eqz (i64.extend_i32_u (i64.eqz (local.get 0))))) (then (return (i32.const 1))))
        (i32.const 0))
      ;; 1: the bool kept in a local (an i64 0 or 1), then tested; returns bool * 10 + branch.
      (func (export "go_tee") (param i64) (result i64) (local i64)
        (if (i32.eqz (i64.eqz (local.tee 1 (i64.extend_i32_u (i64.eqz (local.get 0))))))
          (then (return (i64.add (i64.mul (local.get 1) (i64.const 10)) (i64.const 1)))))
        (i64.mul (local.get 1) (i64.const 10)))
      ;; 2: a comparison extended into an i64 local, then read whole.
      (func (export "lt_wide") (param i64 i64) (result i64) (local i64)
        (local.set 2 (i64.extend_i32_u (i64.lt_s (local.get 0) (local.get 1))))
        (local.get 2))
      ;; 3: the same negated twice through the extension: the comparison's inverse, pushed.
      (func (export "ge_wide") (param i64 i64) (result i64)
        (i64.extend_i32_u (i64.eqz (i64.extend_i32_u (i64.lt_s (local.get 0) (local.get 1))))))
      ;; 4: a float ordering negated (no inverse: NaN) by the branch taking it.
      (func (export "not_lt") (param f64 f64) (result i32)
        (block (br_if 0 (i32.eqz (f64.lt (local.get 0) (local.get 1)))) (return (i32.const 0)))
        (i32.const 1))
      ;; 5: the same into a `br_if` that drops an operand (its own instruction): the negation
      ;; is computed. 7 when the branch is taken, else 5.
      (func (export "not_lt_drop") (param f64 f64) (result i32)
        (block (result i32)
          (i32.const 5)
          (i32.const 7)
          (br_if 0 (i32.eqz (f64.lt (local.get 0) (local.get 1))))
          (drop)))
      ;; 6: a test negated twice on a value that is not a bool, into a branch.
      (func (export "nez") (param i32) (result i32)
        (block (br_if 0 (i32.eqz (i32.eqz (local.get 0)))) (return (i32.const 0)))
        (i32.const 1))
      ;; 7: a test negated once, pushed: the value of `x != 0`.
      (func (export "ne_pushed") (param i64) (result i32)
        (i32.eqz (i64.eqz (local.get 0))))
      ;; 8: an odd run into an `if`: enters when the value is zero.
      (func (export "if_zero") (param i32) (result i32)
        (if (result i32) (i32.eqz (i32.eqz (i32.eqz (local.get 0)))) (then (i32.const 1)) (else (i32.const 0)))))"#;
    for dispatch in [wisp::Dispatch::Portable, wisp::Dispatch::Threaded] {
        for fuel in [false, true] {
            let (module, mut store, inst) = instantiate_on(M, dispatch, fuel);
            if !fuel {
                let go_if = module.disassemble(0).unwrap();
                assert!(
                    go_if.contains("I64Eqz_L_Br") && !go_if.contains("Extend") && !go_if.contains("I32Eqz"),
                    "{go_if}"
                );
                let lt_wide = module.disassemble(2).unwrap();
                assert!(lt_wide.contains("I64LtS_LL_Set") && !lt_wide.contains("Extend"), "{lt_wide}");
                let ge_wide = module.disassemble(3).unwrap();
                assert!(ge_wide.contains("I64GeS_LL") && !ge_wide.contains("Eqz"), "{ge_wide}");
                let not_lt = module.disassemble(4).unwrap();
                assert!(not_lt.contains("F64Lt_LL_BrNot") && !not_lt.contains("Eqz"), "{not_lt}");
                let not_lt_drop = module.disassemble(5).unwrap();
                assert!(not_lt_drop.contains("I32Eqz_S\n") && not_lt_drop.contains("BrNezAdjust"), "{not_lt_drop}");
            }
            let go_if = inst.get_typed_func::<i64, i32>(&store, "go_if").unwrap();
            for (x, want) in [(0, 1), (1, 0), (-1, 0), (1 << 32, 0)] {
                assert_eq!(go_if.call(&mut store, x).unwrap(), want, "go_if({x}) {dispatch:?}");
            }
            let go_tee = inst.get_typed_func::<i64, i64>(&store, "go_tee").unwrap();
            assert_eq!(go_tee.call(&mut store, 0).unwrap(), 11);
            assert_eq!(go_tee.call(&mut store, 1 << 40).unwrap(), 0);
            let wide = |s: &mut Store<()>, name: &str, a: i64, b: i64| {
                inst.get_typed_func::<(i64, i64), i64>(&*s, name).unwrap().call(s, (a, b)).unwrap()
            };
            for (a, b) in [(1, 2), (2, 1), (-1, 0), (i64::MIN, i64::MAX), (5, 5)] {
                assert_eq!(wide(&mut store, "lt_wide", a, b), (a < b) as i64);
                assert_eq!(wide(&mut store, "ge_wide", a, b), (a >= b) as i64);
            }
            let f2 = |s: &mut Store<()>, name: &str, a: f64, b: f64| {
                inst.get_typed_func::<(f64, f64), i32>(&*s, name).unwrap().call(s, (a, b)).unwrap()
            };
            for (a, b) in [(1.0, 2.0), (2.0, 1.0), (f64::NAN, 1.0), (1.0, 1.0)] {
                // Returns 1 when the branch (taken when not a < b) was taken.
                assert_eq!(
                    f2(&mut store, "not_lt", a, b),
                    (a.partial_cmp(&b) != Some(std::cmp::Ordering::Less)) as i32,
                    "not_lt({a}, {b})"
                );
                assert_eq!(f2(&mut store, "not_lt_drop", a, b), if a < b { 5 } else { 7 }, "not_lt_drop({a}, {b})");
            }
            let i32f = |s: &mut Store<()>, name: &str, x: i32| {
                inst.get_typed_func::<i32, i32>(&*s, name).unwrap().call(s, x).unwrap()
            };
            for x in [0, 1, 5, -1] {
                assert_eq!(i32f(&mut store, "nez", x), (x != 0) as i32);
                assert_eq!(i32f(&mut store, "if_zero", x), (x == 0) as i32);
            }
            let ne = inst.get_typed_func::<i64, i32>(&store, "ne_pushed").unwrap();
            for x in [0i64, 1, 1 << 33] {
                assert_eq!(ne.call(&mut store, x).unwrap(), (x != 0) as i32);
            }
            if fuel {
                // Every Wasm operator executed is charged, joined or not: go_if(0) runs
                // local.get, three tests, the extension, the if, then i32.const and return.
                let before = store.get_fuel().unwrap();
                go_if.call(&mut store, 0).unwrap();
                assert_eq!(before - store.get_fuel().unwrap(), 8, "{dispatch:?}");
            }
        }
    }
}

/// Go's stack check at a function's entry (`local.get sp; global.get g; i32.wrap_i64; i32.load
/// offset=16; i32.le_u; if`) is one instruction: the `if`'s body runs when the stack pointer is
/// at or below the guard (unsigned), and the guard's load traps like any load.
#[test]
fn go_stack_checks_are_one_instruction() {
    const M: &str = r#"(module
      (memory 1)
      (global $g (mut i64) (i64.const 0))
      (func (export "set") (param i32 i32) (i32.store offset=16 (local.get 0) (local.get 1)))
      (func (export "guard") (param $sp i32) (param $gv i64) (result i32)
        (global.set $g (local.get $gv))
        local.get $sp
        global.get $g
        i32.wrap_i64
        i32.load offset=16
        i32.le_u
        if
          (return (i32.const 1))
        end
        (i32.const 0)))"#;
    for dispatch in [wisp::Dispatch::Portable, wisp::Dispatch::Threaded] {
        for fuel in [false, true] {
            let (module, mut store, inst) = instantiate_on(M, dispatch, fuel);
            let code = module.disassemble(1).unwrap();
            assert!(code.contains("StackGuardBr { local: 0, global: 0, offset: 16,"), "{code}");
            assert!(!code.contains("I32Load") && !code.contains("GlobalGet {"), "{code}");
            let set = inst.get_typed_func::<(i32, i32), ()>(&store, "set").unwrap();
            let guard = inst.get_typed_func::<(i32, i64), i32>(&store, "guard").unwrap();
            set.call(&mut store, (1000, 5000)).unwrap();
            // The global's high half is not part of the address (i32.wrap_i64).
            for gv in [1000, (1 << 32) + 1000] {
                for (sp, want) in [(6000, 0), (5001, 0), (5000, 1), (4999, 1), (0, 1), (-1, 0)] {
                    assert_eq!(guard.call(&mut store, (sp, gv)).unwrap(), want, "sp {sp} {dispatch:?}");
                }
            }
            let err = guard.call(&mut store, (0, 65536 - 16)).unwrap_err();
            assert!(err.to_string().contains("out of bounds"), "{err}");
            if fuel {
                // Charged as its operators: global.set's two, then six, then the return's two.
                let before = store.get_fuel().unwrap();
                guard.call(&mut store, (0, 1000)).unwrap();
                assert_eq!(before - store.get_fuel().unwrap(), 10, "{dispatch:?}");
            }
        }
    }
}

/// `local.get p; i64.load; i64.eqz` taken by a branch, with or without negations between, is
/// one instruction (`I64LoadZeroBr`, `I64LoadNonZeroBr`); its load traps like any load.
#[test]
fn loads_tested_against_zero_branch_in_one_instruction() {
    const M: &str = r#"(module
      (memory 1)
      (func (export "set") (param i32 i64) (i64.store offset=8 (local.get 0) (local.get 1)))
      ;; 1: Go's `if *p == 0`: 1 when the word at p + 8 is zero.
      (func (export "if_zero") (param i32) (result i32)
        (if (i64.eqz (i64.load offset=8 (local.get 0))) (then (return (i32.const 1))))
        (i32.const 0))
      ;; 2: through a bool: `if !(*p == 0)`.
      (func (export "if_nonzero") (param i32) (result i32)
        (if (i64.eqz (i64.extend_i32_u (i64.eqz (i64.load offset=8 (local.get 0)))))
          (then (return (i32.const 1))))
        (i32.const 0))
      ;; 3: br_if on zero, 4: on non-zero.
      (func (export "br_zero") (param i32) (result i32)
        (block (br_if 0 (i64.eqz (i64.load offset=8 (local.get 0)))) (return (i32.const 0)))
        (i32.const 1))
      (func (export "br_nonzero") (param i32) (result i32)
        (block (br_if 0 (i32.eqz (i64.eqz (i64.load offset=8 (local.get 0))))) (return (i32.const 0)))
        (i32.const 1)))"#;
    for dispatch in [wisp::Dispatch::Portable, wisp::Dispatch::Threaded] {
        for fuel in [false, true] {
            let (module, mut store, inst) = instantiate_on(M, dispatch, fuel);
            for (f, form) in
                [(1, "I64LoadNonZeroBr"), (2, "I64LoadZeroBr"), (3, "I64LoadZeroBr"), (4, "I64LoadNonZeroBr")]
            {
                let code = module.disassemble(f).unwrap();
                assert!(code.contains(&format!("{form} {{ addr: 0, offset: 8,")), "{code}");
                assert!(!code.contains("Eqz") && !code.contains("I64Load_"), "{code}");
            }
            let set = inst.get_typed_func::<(i32, i64), ()>(&store, "set").unwrap();
            for v in [0i64, 1, 1 << 32, -1, i64::MIN] {
                set.call(&mut store, (64, v)).unwrap();
                for (name, want) in
                    [("if_zero", v == 0), ("if_nonzero", v != 0), ("br_zero", v == 0), ("br_nonzero", v != 0)]
                {
                    let f = inst.get_typed_func::<i32, i32>(&store, name).unwrap();
                    assert_eq!(f.call(&mut store, 64).unwrap(), want as i32, "{name}({v}) {dispatch:?}");
                    let err = f.call(&mut store, 65536 - 15).unwrap_err();
                    assert!(err.to_string().contains("out of bounds"), "{name}: {err}");
                }
            }
            if fuel {
                // if_nonzero(64) with a non-zero word: local.get, load, two tests and the
                // extension, the if, then i32.const and return.
                let before = store.get_fuel().unwrap();
                inst.get_typed_func::<i32, i32>(&store, "if_nonzero").unwrap().call(&mut store, 64).unwrap();
                assert_eq!(before - store.get_fuel().unwrap(), 8, "{dispatch:?}");
            }
        }
    }
}

/// A word copied, `local.get dst; local.get src; i64.load; i64.store` (`I64CopyLL`) or with
/// the destination a local plus a constant computed first (`I64CopyLA`, Go's
/// `i64.extend_i32_u; i64.const; i64.add; i32.wrap_i64` address), is one instruction that
/// loads before it stores: a load out of bounds traps before anything is written.
#[test]
fn copied_words_are_one_instruction() {
    const M: &str = r#"(module
      (memory 1)
      (func (export "set") (param i32 i64) (i64.store (local.get 0) (local.get 1)))
      (func (export "get") (param i32) (result i64) (i64.load (local.get 0)))
      ;; 2: mem[dst + 16] = mem[src + 8]
      (func (export "copy_ll") (param $dst i32) (param $src i32)
        (i64.store offset=16 (local.get $dst) (i64.load offset=8 (local.get $src))))
      ;; 3: mem[(dst + add) mod 2^32] = mem[src + 8], Go's way
      (func (export "copy_la") (param $dst i32) (param $src i32)
        (i64.store
          (i32.wrap_i64 (i64.add (i64.extend_i32_u (local.get $dst)) (i64.const 24)))
          (i64.load offset=8 (local.get $src)))))"#;
    for dispatch in [wisp::Dispatch::Portable, wisp::Dispatch::Threaded] {
        let (module, mut store, inst) = instantiate_on(M, dispatch, false);
        let ll = module.disassemble(2).unwrap();
        assert!(ll.contains("I64CopyLL { src: 1, dst: 0, src_offset: 8, dst_offset: 16 }"), "{ll}");
        let la = module.disassemble(3).unwrap();
        assert!(la.contains("I64CopyLA { src: 1, dst: 0, add: 24, src_offset: 8 }"), "{la}");
        let set = inst.get_typed_func::<(i32, i64), ()>(&store, "set").unwrap();
        let get = inst.get_typed_func::<i32, i64>(&store, "get").unwrap();
        let copy_ll = inst.get_typed_func::<(i32, i32), ()>(&store, "copy_ll").unwrap();
        let copy_la = inst.get_typed_func::<(i32, i32), ()>(&store, "copy_la").unwrap();
        set.call(&mut store, (108, -0x0123_4567_89ab_cdef)).unwrap();
        copy_ll.call(&mut store, (1000, 100)).unwrap();
        assert_eq!(get.call(&mut store, 1016).unwrap(), -0x0123_4567_89ab_cdef, "{dispatch:?}");
        copy_la.call(&mut store, (2000, 100)).unwrap();
        assert_eq!(get.call(&mut store, 2024).unwrap(), -0x0123_4567_89ab_cdef, "{dispatch:?}");
        // The destination's add wraps at 32 bits: -24 + 24 is address 0.
        copy_la.call(&mut store, (-24, 100)).unwrap();
        assert_eq!(get.call(&mut store, 0).unwrap(), -0x0123_4567_89ab_cdef, "{dispatch:?}");
        // A source out of bounds traps before the store; a destination out of bounds traps.
        set.call(&mut store, (3016, 7)).unwrap();
        set.call(&mut store, (3024, 7)).unwrap();
        for (f, name) in [(&copy_ll, "copy_ll"), (&copy_la, "copy_la")] {
            let err = f.call(&mut store, (3000, 65536 - 15)).unwrap_err();
            assert!(err.to_string().contains("out of bounds"), "{name}: {err}");
            let err = f.call(&mut store, (65536 - 16, 100)).unwrap_err();
            assert!(err.to_string().contains("out of bounds"), "{name}: {err}");
        }
        assert_eq!(get.call(&mut store, 3016).unwrap(), 7);
        assert_eq!(get.call(&mut store, 3024).unwrap(), 7);
    }
}

/// A `local.get` pushed below an `if`'s parameter, the local written in one arm: after the `if`,
/// the pushed value is the local's value before the `if`, whichever arm ran. (wasmi 2.0 reads
/// an unwritten slot when the arm that does not write runs: tests-diff/RATIONALE.md; V8 gives
/// the parameter.)
#[test]
fn a_write_in_one_arm_keeps_a_value_pushed_below_the_blocks_parameter() {
    const SRC: &str = r#"(module
  (func (export "f") (param i32 i32) (result i32)
    local.get 0
    i32.const 0
    local.get 1
    if (param i32) (result f64)
      drop
      i32.const 5
      local.set 0
      f64.const 0
    else
      drop
      f64.const 1
    end
    drop))"#;
    for dispatch in [wisp::Dispatch::Portable, wisp::Dispatch::Threaded] {
        for fuel in [false, true] {
            let (_, mut store, inst) = instantiate_on(SRC, dispatch, fuel);
            for (x, cond) in [(-1, 0), (-1, 1), (7, 0), (7, 1)] {
                assert_eq!(call2(&mut store, &inst, "f", x, cond), x, "{dispatch:?}, fuel {fuel}: f({x}, {cond})");
            }
        }
    }
}

/// A `select` whose first operand is another `select` on a comparison (wasm-smith's NaN
/// canonicalization, `x == x ? x : nan`) and whose condition is a reference test: the outer
/// condition holds, so the result is the inner `select`'s. (wasmi 2.0 returns the outer
/// constant: tests-diff/RATIONALE.md; V8 gives the inner result.)
#[test]
fn a_select_of_a_compared_select_keeps_the_inner_result() {
    const SRC: &str = r#"(module
  (func (export "f") (param f32 i32) (result f32) (local funcref)
    (select
      (select (local.get 0) (f32.const 6) (f32.eq (local.get 0) (local.get 0)))
      (f32.const 7)
      (ref.is_null (local.get 2))))
  (func (export "g") (param f32 i32) (result f32) (local funcref)
    (select
      (select (local.get 0) (f32.const 6) (f32.eq (local.get 0) (local.get 0)))
      (f32.const 7)
      (local.get 1))))"#;
    for dispatch in [wisp::Dispatch::Portable, wisp::Dispatch::Threaded] {
        for fuel in [false, true] {
            let (_, mut store, inst) = instantiate_on(SRC, dispatch, fuel);
            let f = inst.get_typed_func::<(f32, i32), f32>(&store, "f").unwrap();
            let g = inst.get_typed_func::<(f32, i32), f32>(&store, "g").unwrap();
            for (x, expected) in [(-0.0f32, -0.0f32), (5.0, 5.0), (f32::NAN, 6.0), (f32::INFINITY, f32::INFINITY)] {
                let got = f.call(&mut store, (x, 0)).unwrap();
                assert_eq!(got.to_bits(), expected.to_bits(), "{dispatch:?}, fuel {fuel}: f({x})");
                let got = g.call(&mut store, (x, 1)).unwrap();
                assert_eq!(got.to_bits(), expected.to_bits(), "{dispatch:?}, fuel {fuel}: g({x}, 1)");
                assert_eq!(g.call(&mut store, (x, 0)).unwrap(), 7.0, "{dispatch:?}, fuel {fuel}: g({x}, 0)");
            }
        }
    }
}

#[test]
fn two_local_copies_in_a_row_are_one_instruction_in_order() {
    const M: &str = r#"(module
      ;; 0: a deferred read of local 0, then c = b; a = c (the second copy reads the first's
      ;; result): 100 * old a + 10 * a + c.
      (func (export "copies") (param i32 i32 i32) (result i32)
        local.get 0
        local.get 1 local.set 2
        local.get 2 local.set 0
        i32.const 100 i32.mul
        local.get 0 i32.const 10 i32.mul i32.add
        local.get 2 i32.add)
      ;; 1: Fibonacci by a loop whose back edge moves b into a and t into b.
      (func (export "fib") (param $n i32) (result i32) (local $a i32) (local $b i32) (local $t i32)
        (local.set $b (i32.const 1))
        (block $done
          (br_if $done (i32.eqz (local.get $n)))
          (loop $next
            (local.set $t (i32.add (local.get $a) (local.get $b)))
            local.get $b local.set $a
            local.get $t local.set $b
            (br_if $next (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
        (local.get $a)))"#;
    for dispatch in [wisp::Dispatch::Portable, wisp::Dispatch::Threaded] {
        for fuel in [false, true] {
            let (module, mut store, inst) = instantiate_on(M, dispatch, fuel);
            let copies = module.disassemble(0).unwrap();
            assert!(copies.contains("LocalCopy2 { src: 1, dst: 2, src2: 2, dst2: 0 }"), "{copies}");
            let fib = module.disassemble(1).unwrap();
            assert!(fib.contains("LocalCopy2 { src: 2, dst: 1, src2: 3, dst2: 2 }"), "{fib}");
            let f = inst.get_typed_func::<(i32, i32, i32), i32>(&store, "copies").unwrap();
            // Copies done together would give a = 3 (130 + 2); an old a not kept, 200 + 20 + 2.
            assert_eq!(f.call(&mut store, (1, 2, 3)).unwrap(), 122, "{dispatch:?}");
            let f = inst.get_typed_func::<i32, i32>(&store, "fib").unwrap();
            assert_eq!(f.call(&mut store, 0).unwrap(), 0, "{dispatch:?}");
            assert_eq!(f.call(&mut store, 1).unwrap(), 1, "{dispatch:?}");
            assert_eq!(f.call(&mut store, 10).unwrap(), 55, "{dispatch:?}");
            assert_eq!(f.call(&mut store, 47).unwrap(), 2_971_215_073_u32 as i32, "{dispatch:?}");
        }
    }
}

/// A Go call at resume point 0 runs the callee's prologue itself when it can: the stack check
/// (`StackGuardBr`) and the frame's allocation (`SpAdjust`), entering at the body; when the
/// check fails it enters at the check, which takes `morestack`'s path, and when the guard's
/// load is out of bounds the check traps as an instruction. Fuel runs every instruction, so
/// the fuelled runs are the reference: the same results, on both backends, whether the call
/// is Go's (`GoCall`) or a plain call at resume point 0 (`CallImm`), and a resume (point 1)
/// still goes through the dispatch.
#[test]
fn go_calls_run_the_callees_prologue_with_its_meaning() {
    const M: &str = r#"(module
      (memory 1)
      (global $sp (mut i32) (i32.const 1024))
      (global $g (mut i64) (i64.const 0))
      (func (export "set") (param i32 i32) (i32.store offset=16 (local.get 0) (local.get 1)))
      ;; 1: Go's prologue: the dispatch, then at entry 0 the stack check and the frame; the body
      ;; reports the stack pointer local and global; resume point 1 reports them unadjusted.
      (func $checked (param i32) (result i32) (local $s i32)
        (local.set $s (global.get $sp))
        (block $b1 (block $b0
          (br_table $b0 $b1 (local.get 0)))
          local.get $s
          global.get $g
          i32.wrap_i64
          i32.load offset=16
          i32.le_u
          if
            (return (i32.sub (i32.const 0) (local.get $s)))
          end
          (global.set $sp (local.tee $s (i32.sub (local.get $s) (i32.const 32))))
          (return (i32.add (i32.mul (local.get $s) (i32.const 3)) (global.get $sp))))
        (i32.add (i32.mul (local.get $s) (i32.const 5)) (global.get $sp)))
      ;; 2: the frame without a check.
      (func $unchecked (param i32) (result i32) (local $s i32)
        (local.set $s (global.get $sp))
        (block $b1 (block $b0
          (br_table $b0 $b1 (local.get 0)))
          (global.set $sp (local.tee $s (i32.sub (local.get $s) (i32.const 48))))
          (return (i32.add (i32.mul (local.get $s) (i32.const 3)) (global.get $sp))))
        (i32.add (i32.mul (local.get $s) (i32.const 5)) (global.get $sp)))
      ;; 3, 4: Go's calls of each, the stack pointer and g given; then the global after.
      (func (export "go_checked") (param $sp i32) (param $gv i64) (result i32) (local $s i32)
        (global.set $g (local.get $gv))
        (global.set $sp (local.get $sp))
        (local.set $s (global.get $sp))
        (global.set $sp (local.tee $s (i32.sub (local.get $s) (i32.const 8))))
        (i64.store (local.get $s) (i64.const 0x1234))
        (i32.add (call $checked (i32.const 0)) (i32.mul (global.get $sp) (i32.const 7))))
      (func (export "go_unchecked") (param $sp i32) (result i32) (local $s i32)
        (global.set $sp (local.get $sp))
        (local.set $s (global.get $sp))
        (global.set $sp (local.tee $s (i32.sub (local.get $s) (i32.const 8))))
        (i64.store (local.get $s) (i64.const 0x1234))
        (i32.add (call $unchecked (i32.const 0)) (i32.mul (global.get $sp) (i32.const 7))))
      ;; 5: plain calls at resume points 0 and 1.
      (func (export "plain") (param $sp i32) (param $gv i64) (param $point i32) (result i32)
        (global.set $g (local.get $gv))
        (global.set $sp (local.get $sp))
        (i32.add (i32.add (call $checked (local.get $point)) (i32.mul (call $unchecked (local.get $point)) (i32.const 11)))
          (i32.mul (global.get $sp) (i32.const 7)))))"#;
    let mut runs = Vec::new();
    for dispatch in [wisp::Dispatch::Portable, wisp::Dispatch::Threaded] {
        for fuel in [false, true] {
            let (module, mut store, inst) = instantiate_on(M, dispatch, fuel);
            let checked = module.disassemble(1).unwrap();
            assert!(checked.contains("StackGuardBr { local: 1, global: 1, offset: 16,"), "{checked}");
            assert!(checked.contains("SpAdjust { local: 1, imm: 4294967264, global: 0 }"), "{checked}");
            assert!(module.disassemble(2).unwrap().contains("SpAdjust { local: 1, imm: 4294967248, global: 0 }"));
            assert!(module.disassemble(3).unwrap().contains("GoCall { local: 2, global: 0, func: 1,"));
            let set = inst.get_typed_func::<(i32, i32), ()>(&store, "set").unwrap();
            let go_checked = inst.get_typed_func::<(i32, i64), i32>(&store, "go_checked").unwrap();
            let go_unchecked = inst.get_typed_func::<i32, i32>(&store, "go_unchecked").unwrap();
            let plain = inst.get_typed_func::<(i32, i64, i32), i32>(&store, "plain").unwrap();
            // g at 1000: the guard at 1016, 5000.
            set.call(&mut store, (1000, 5000)).unwrap();
            let mut results = Vec::new();
            // Stack pointers above the guard (the body runs), at and below it (morestack's
            // path), each called twice: the first call translates the callee.
            for sp in [6000, 5009, 5008, 5007, 4000, 8] {
                for _ in 0..2 {
                    let r = go_checked.call(&mut store, (sp, 1000)).unwrap();
                    let s = sp - 8;
                    let want = if s as u32 > 5000 { (s - 32) * 3 + (s - 32) + (s - 32) * 7 } else { -s + s * 7 };
                    assert_eq!(r, want, "sp {sp}, {dispatch:?}, fuel {fuel}");
                    results.push(r);
                    assert_eq!(go_unchecked.call(&mut store, sp).unwrap(), (s - 48) * 11, "sp {sp}");
                    for point in [0, 1] {
                        results.push(plain.call(&mut store, (sp, 1000, point)).unwrap());
                    }
                }
            }
            // The guard's load out of bounds: the check traps, whichever way the callee is entered.
            for _ in 0..2 {
                let err = go_checked.call(&mut store, (6000, 65536 - 16)).unwrap_err();
                assert!(err.to_string().contains("out of bounds"), "{dispatch:?}: {err}");
                let err = plain.call(&mut store, (6000, 65536 - 16, 0)).unwrap_err();
                assert!(err.to_string().contains("out of bounds"), "{dispatch:?}: {err}");
            }
            runs.push(results);
        }
    }
    assert!(runs.iter().all(|r| *r == runs[0]), "{runs:?}");
}

/// Loops with and without calls, nested and side by side, on both backends and with fuel: the
/// translator notes the loops without calls as it emits their branches back (the threaded
/// backend gives their instructions handler copies), and debug builds check what it noted
/// against a scan of the finished code. The results are what the Wasm computes.
#[test]
fn loops_with_and_without_calls() {
    const LOOPS: &str = r#"(module
      (type $t (func (param i32) (result i32)))
      (table 1 funcref)
      (elem (i32.const 0) $twice)
      (func $twice (param i32) (result i32) (i32.shl (local.get 0) (i32.const 1)))
      ;; sum of 2i for i < n: an inner loop without calls, then a call in the outer one.
      (func (export "nested") (param $n i32) (result i32) (local $i i32) (local $s i32) (local $k i32)
        (loop $outer
          (local.set $k (i32.const 0))
          (loop $inner
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br_if $inner (i32.lt_u (local.get $k) (i32.const 3))))
          (local.set $s (i32.add (local.get $s) (call $twice (local.get $i))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $outer (i32.lt_u (local.get $i) (local.get $n))))
        (i32.add (local.get $s) (local.get $k)))
      ;; A branch back before the call, then one after it, to the same loop; then a loop
      ;; that calls through the table.
      (func (export "before_after") (param $n i32) (result i32) (local $i i32) (local $s i32)
        (loop $l
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.and (local.get $i) (i32.const 1)))
          (local.set $s (i32.add (local.get $s) (call $twice (local.get $i))))
          (br_if $l (i32.lt_u (local.get $i) (local.get $n))))
        (local.set $i (i32.const 0))
        (loop $m
          (local.set $s (call_indirect (type $t) (local.get $s) (i32.const 0)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $m (i32.lt_u (local.get $i) (i32.const 2))))
        (local.get $s))
      ;; Two loops without calls side by side, the second holding a block.
      (func (export "side_by_side") (param $n i32) (result i32) (local $i i32) (local $s i32)
        (loop $a
          (local.set $s (i32.add (local.get $s) (local.get $i)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $a (i32.lt_u (local.get $i) (local.get $n))))
        (loop $b
          (block $skip
            (br_if $skip (i32.and (local.get $i) (i32.const 1)))
            (local.set $s (i32.add (local.get $s) (i32.const 100))))
          (local.set $i (i32.sub (local.get $i) (i32.const 1)))
          (br_if $b (local.get $i)))
        (local.get $s)))"#;
    for dispatch in [wisp::Dispatch::Portable, wisp::Dispatch::Threaded] {
        for fuel in [false, true] {
            let (_, mut store, inst) = instantiate_on(LOOPS, dispatch, fuel);
            let mut run = |name: &str, n: i32| {
                inst.get_typed_func::<i32, i32>(&store, name).unwrap().call(&mut store, n).unwrap()
            };
            // 2 * (0 + 1 + ... + 9) + 3.
            assert_eq!(run("nested", 10), 93, "{dispatch:?}, fuel {fuel}");
            // i = 2, 4, 6, 8, 10 after the odd ones skip: s = 2 * 30 = 60, then doubled twice.
            assert_eq!(run("before_after", 10), 240, "{dispatch:?}, fuel {fuel}");
            // 0 + ... + 9 = 45; then i = 10 down to 1, the even ones add 100.
            assert_eq!(run("side_by_side", 10), 545, "{dispatch:?}, fuel {fuel}");
        }
    }
}

/// An integer operator's semantics on slot bits (`bits` wide), written from the spec: wrapping
/// arithmetic, shift and rotation counts taken modulo the width.
fn int_op(op: &str, bits: u32, a: u64, b: u64) -> u64 {
    let mask = if bits == 32 { u32::MAX as u64 } else { u64::MAX };
    let (a, b, k) = (a & mask, b & mask, (b & (bits as u64 - 1)) as u32);
    let signed = |v: u64| if bits == 32 { v as u32 as i32 as i64 } else { v as i64 };
    let rot = |v: u64, l: u32| if l == 0 { v } else { ((v << l) | (v >> (bits - l))) & mask };
    let r = match op {
        "add" => a.wrapping_add(b),
        "sub" => a.wrapping_sub(b),
        "mul" => a.wrapping_mul(b),
        "and" => a & b,
        "or" => a | b,
        "xor" => a ^ b,
        "shl" => a << k,
        "shr_u" => a >> k,
        "shr_s" => (signed(a) >> k) as u64,
        "rotl" => rot(a, k),
        "rotr" => rot(a, (bits - k) % bits),
        _ => unreachable!("{op}"),
    };
    r & mask
}

/// `(x op c) op2 k` where the two constants combine is one instruction with the combined
/// constant: sums and differences, masks, products, shifts and rotations in a row, with the
/// operand in a local or on the stack. Shifts whose counts (modulo the width) reach the width
/// stay two instructions (the result would be zero), an arithmetic shift joins at the width
/// less one. Every function returns what the two operators mean, on both backends, and
/// consumes the same fuel folded or not (one unit per operator).
#[test]
fn constants_in_a_row_combine_into_one_operator() {
    let pairs = [
        ("add", "add"),
        ("add", "sub"),
        ("sub", "add"),
        ("sub", "sub"),
        ("and", "and"),
        ("or", "or"),
        ("xor", "xor"),
        ("mul", "mul"),
        ("shl", "shl"),
        ("shr_u", "shr_u"),
        ("shr_s", "shr_s"),
        ("rotl", "rotl"),
        ("rotr", "rotr"),
        // Different operators do not combine.
        ("add", "xor"),
        ("shl", "shr_u"),
        ("rotl", "rotr"),
    ];
    let shift = |op: &str| matches!(op, "shl" | "shr_u" | "shr_s" | "rotl" | "rotr");
    let mut cases = Vec::new();
    for bits in [32u32, 64] {
        let wide = |v: i64| if bits == 32 { v as i32 as u32 as u64 } else { v as u64 };
        let counts: &[(i64, i64)] = if bits == 32 {
            &[(3, 4), (0, 31), (31, 1), (20, 20), (33, 2), (32, 32), (100, -1)]
        } else {
            &[(3, 4), (40, 23), (40, 30), (64, 1), (100, 27), (63, 1), (-1, -1)]
        };
        let values: &[(i64, i64)] = &[
            (1, 2),
            (0x7fff_ffff, 1),
            (-1, -1),
            (i32::MIN as i64, i32::MIN as i64),
            (0x1234_5678_9abc_def0, -0x0765_4321_0fed_cba9),
            (i64::MIN, 0x10001),
        ];
        for &(op, op2) in &pairs {
            for &(c, k) in if shift(op) { counts } else { values } {
                let (c, k) = (wide(c), wide(k));
                // Combined: the same operator (a subtraction is an addition of the negated
                // constant), and shifts only while their counts stay inside the width.
                let add_like = |o: &str| matches!(o, "add" | "sub");
                let n = (c & (bits as u64 - 1)) + (k & (bits as u64 - 1));
                let joins = (op == op2 || add_like(op) && add_like(op2))
                    && match op {
                        "shl" | "shr_u" => n < bits as u64,
                        _ => true,
                    };
                cases.push((bits, op, op2, c, k, joins));
            }
        }
    }
    let mut src = String::from("(module\n");
    for (i, &(bits, op, op2, c, k, _)) in cases.iter().enumerate() {
        let t = format!("i{bits}");
        let (c, k) = (c as i64, k as i64);
        src += &format!(
            "(func (export \"l{i}\") (param {t} {t}) (result {t}) \
             ({t}.{op2} ({t}.{op} (local.get 0) ({t}.const {c})) ({t}.const {k})))\n\
             (func (export \"s{i}\") (param {t} {t}) (result {t}) \
             ({t}.{op2} ({t}.{op} ({t}.add (local.get 0) (local.get 1)) ({t}.const {c})) ({t}.const {k})))\n"
        );
    }
    src += ")";
    let inputs: [i64; 6] = [0, 1, -1, i32::MIN as i64, 0x0123_4567_89ab_cdef, -0x0f0f_0f0f_f0f0];
    for dispatch in [wisp::Dispatch::Portable, wisp::Dispatch::Threaded] {
        for fuel in [false, true] {
            let (module, mut store, inst) = instantiate_on(&src, dispatch, fuel);
            for (i, &(bits, op, op2, c, k, joins)) in cases.iter().enumerate() {
                let case = format!("i{bits}.{op} {c:#x} then {op2} {k:#x}");
                for (f, name) in [(2 * i, format!("l{i}")), (2 * i + 1, format!("s{i}"))] {
                    if !fuel {
                        let code = module.disassemble(f as u32).unwrap();
                        // Integer operator instructions (not the pushes or the return): one
                        // or two, and the add that puts the operand on the stack.
                        let ops =
                            lines(&code).iter().filter(|(_, i)| i.starts_with("I32") || i.starts_with("I64")).count();
                        let want = if joins { 1 } else { 2 } + (f % 2);
                        assert_eq!(ops, want, "{case}, {name}:\n{code}");
                    }
                    for &x in &inputs {
                        let y = 0x1111_2222_3333_4444_u64 as i64;
                        let a = if f % 2 == 0 { x as u64 } else { int_op("add", bits, x as u64, y as u64) };
                        let want = int_op(op2, bits, int_op(op, bits, a, c), k);
                        let before = if fuel { store.get_fuel().unwrap() } else { 0 };
                        let got = if bits == 32 {
                            let func = inst.get_typed_func::<(i32, i32), i32>(&store, &name).unwrap();
                            func.call(&mut store, (x as i32, y as i32)).unwrap() as u32 as u64
                        } else {
                            let func = inst.get_typed_func::<(i64, i64), i64>(&store, &name).unwrap();
                            func.call(&mut store, (x, y)).unwrap() as u64
                        };
                        assert_eq!(got, want, "{case}, {name}({x:#x}), {dispatch:?}");
                        if fuel {
                            // local.get (twice on the stack), the constants, the operators, end.
                            let spent = before - store.get_fuel().unwrap();
                            assert_eq!(spent, 6 + 2 * (f as u64 % 2), "{case}, {name}, {dispatch:?}");
                        }
                    }
                }
            }
        }
    }
}

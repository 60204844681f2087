//! The translator's deferred `local.get`: an operator whose left operand a `local.get` pushed,
//! with other code computing the right operand in between, reads the local itself. These tests
//! pin when that happens (the disassembly) and that the result is what the Wasm means, also in
//! the cases where it must not happen (the local is written, or a branch leaves, in between).

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
  ;; An out-of-bounds address in the local still traps.
  (func (export "store_at_oob") (param i32 i32)
    (i64.store (local.get 0) (i64.extend_i32_u (i32.add (local.get 1) (i32.const 1)))))
)"#;

fn setup() -> (Module, Store<()>, wisp::Instance) {
    let engine = Engine::default();
    let module = Module::new(&engine, &wat(MODULE)).expect("valid");
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
    assert!(code.contains("I32SubLS { a: 0 }"), "{code}");
    assert!(!code.contains("LocalGet { index: 0 }"), "{code}");
    assert_eq!(call2(&mut store, &inst, "sub_shl", 100, 5), 60);
    assert_eq!(call2(&mut store, &inst, "sub_shl", 0, 1), -8);
}

#[test]
fn a_write_in_between_keeps_the_pushed_value() {
    let (module, mut store, inst) = setup();
    for f in [1, 2] {
        let code = module.disassemble(f).unwrap();
        assert!(!code.contains("SubLS"), "func {f}: {code}");
    }
    assert_eq!(call2(&mut store, &inst, "written_between", 50, 7), 36);
    assert_eq!(call2(&mut store, &inst, "teed_between", 50, 7), 42);
}

#[test]
fn a_branch_in_between_keeps_the_stack_layout() {
    let (module, mut store, inst) = setup();
    let code = module.disassemble(3).unwrap();
    assert!(!code.contains("SubLS"), "{code}");
    // Branch taken: the block yields local 0.
    assert_eq!(call2(&mut store, &inst, "branch_between", 9, 1), 9);
    // Not taken: br_if passes its value on, 9 - (9 + 1).
    assert_eq!(call2(&mut store, &inst, "branch_between", 9, 0), -1);
}

#[test]
fn store_address_from_a_local() {
    let (module, mut store, inst) = setup();
    let code = module.disassemble(4).unwrap();
    assert!(code.contains("I32StoreAt { addr: 0, offset: 4 }"), "{code}");
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
    assert!(module.disassemble(5).unwrap().contains("I32LoadLocalAddImm"));
    assert!(module.disassemble(6).unwrap().contains("I32Load16SAddImm"));
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

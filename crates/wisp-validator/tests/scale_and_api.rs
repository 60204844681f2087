//! Scale (deep nesting, huge br_table, long bodies: nothing may recurse) and the queries a
//! translator makes between operators.

mod common;
use common::*;
use wisp_decoder::Module;
use wisp_validator::{validate, validate_bytes, validate_module, Features, FrameKind, FuncValidator, ValType};

const I32: u8 = 0x7f;

fn nested_blocks(depth: usize, inner: &[u8]) -> Vec<u8> {
    let mut code = Vec::with_capacity(depth * 3 + inner.len() + 1);
    for _ in 0..depth {
        code.extend_from_slice(&[0x02, 0x40]);
    }
    code.extend_from_slice(inner);
    code.extend(std::iter::repeat(0x0b).take(depth + 1));
    code
}

#[test]
fn ten_thousand_nested_blocks() {
    let m = module_with_body(&[], &[], &nested_blocks(10_000, &[0x0c, 0x8f, 0x4e])); // br 9999
    validate_bytes(&m, Features::wasm2()).unwrap();
    // A branch one label too far out.
    let m = module_with_body(&[], &[], &nested_blocks(10_000, &[0x0c, 0x91, 0x4e])); // br 10001
    let e = validate_bytes(&m, Features::wasm2()).unwrap_err();
    assert!(e.message().starts_with("unknown label"), "{e}");
    // Values flowing out through every level.
    let mut code = Vec::new();
    for _ in 0..10_000 {
        code.extend_from_slice(&[0x02, I32]);
    }
    code.extend_from_slice(&[0x41, 0x07]);
    code.extend(std::iter::repeat(0x0b).take(10_001));
    validate_bytes(&module_with_body(&[], &[I32], &code), Features::wasm2()).unwrap();
    // One level drops its value: invalid.
    code.insert(2 * 10_000 + 2 + 5_000, 0x1a);
    let e = validate_bytes(&module_with_body(&[], &[I32], &code), Features::wasm2()).unwrap_err();
    assert!(e.message().starts_with("type mismatch"), "{e}");
}

#[test]
fn queries_at_depth() {
    let info = valid("(module (func (param i32)))");
    let mut v = FuncValidator::new(&info, 0).unwrap();
    let block = wisp_validator::Operator::Block { blockty: wisp_decoder::BlockType::Value(ValType::I64) };
    for _ in 0..10_000 {
        v.op(0, &block).unwrap();
    }
    assert_eq!(v.control_height(), 10_001);
    assert_eq!(v.control(9_999).unwrap().kind, FrameKind::Block);
    assert_eq!(v.control(10_000).unwrap().kind, FrameKind::Func);
    assert!(v.control(10_001).is_none());
    assert_eq!(v.label_types(5_000), Some(&[ValType::I64][..]));
    assert_eq!(v.control(0).unwrap().label_arity(), 1);
    v.op(0, &wisp_validator::Operator::Unreachable {}).unwrap();
    assert!(v.is_unreachable());
    assert!(!v.control(1).unwrap().unreachable);
    for _ in 0..10_000 {
        v.op(0, &wisp_validator::Operator::End {}).unwrap();
        assert_eq!(v.operand_height(), 1);
        v.op(0, &wisp_validator::Operator::Drop {}).unwrap();
        v.op(0, &wisp_validator::Operator::I64Const { value: 0 }).unwrap();
    }
    // The function returns nothing: the last value is left over.
    assert!(v.op(0, &wisp_validator::Operator::End {}).is_err());
}

#[test]
fn deeper_than_any_stack_would_allow() {
    // Recursion over nesting would overflow a thread's stack long before this.
    let mut code = Vec::new();
    for _ in 0..200_000 {
        code.extend_from_slice(&[0x41, 0x01, 0x04, 0x40]); // i32.const 1; if
    }
    code.extend(std::iter::repeat(0x0b).take(200_001));
    validate_bytes(&module_with_body(&[], &[], &code), Features::wasm2()).unwrap();
}

#[test]
fn br_table_with_900_targets() {
    // Go's shape: a dispatch br_table at the top of 900 nested blocks.
    let mut code = Vec::new();
    for _ in 0..900 {
        code.extend_from_slice(&[0x02, 0x40]);
    }
    code.extend_from_slice(&[0x20, 0x00, 0x0e]); // local.get 0; br_table
    push_leb(900, &mut code);
    for i in 0..900u64 {
        push_leb(i, &mut code);
    }
    push_leb(900, &mut code); // default: the function's own label
    let mut good = code.clone();
    good.extend(std::iter::repeat(0x0b).take(901));
    validate_bytes(&module_with_body(&[I32], &[], &good), Features::wasm2()).unwrap();

    // The same with a default label that does not exist.
    let mut bad = code.clone();
    bad.pop();
    bad.pop();
    push_leb(901, &mut bad);
    bad.extend(std::iter::repeat(0x0b).take(901));
    let e = validate_bytes(&module_with_body(&[I32], &[], &bad), Features::wasm2()).unwrap_err();
    assert!(e.message().starts_with("unknown label"), "{e}");

    // The outermost block yields an i32: its label's arity differs from the others'.
    let mut arity = good.clone();
    arity[1] = I32;
    let e = validate_bytes(&module_with_body(&[I32], &[], &arity), Features::wasm2()).unwrap_err();
    assert!(e.message().starts_with("type mismatch"), "{e}");
}

#[test]
fn br_table_with_many_targets_carrying_values() {
    let mut code = vec![0x02, I32, 0x41, 0x05, 0x20, 0x00, 0x0e];
    push_leb(100_000, &mut code);
    for i in 0..100_000u64 {
        push_leb(i % 2, &mut code);
    }
    code.push(0x00);
    code.extend_from_slice(&[0x0b, 0x0b]);
    validate_bytes(&module_with_body(&[I32], &[I32], &code), Features::wasm2()).unwrap();
    // The function's result differs: every target must agree with its label.
    assert!(validate_bytes(&module_with_body(&[I32], &[0x7e], &code), Features::wasm2()).is_err());
}

#[test]
fn twenty_thousand_instructions() {
    let mut code = vec![0x41, 0x00];
    for i in 0..10_000u64 {
        code.extend_from_slice(&[0x41]);
        push_leb(i, &mut code);
        code.push(0x6a); // i32.add
    }
    code.push(0x0b);
    validate_bytes(&module_with_body(&[], &[I32], &code), Features::wasm2()).unwrap();
}

/// Drives a validator over function 0 of `text`, recording the state after every operator.
fn trace(text: &str) -> Vec<(String, usize, usize, bool)> {
    let bytes = wat(text);
    let module = Module::parse(&bytes).unwrap();
    let info = validate_module(&module).unwrap();
    let mut v = FuncValidator::new(&info, info.num_imported_funcs).unwrap();
    let (locals, mut ops) = module.code[0].read_locals().unwrap();
    for (n, t) in locals {
        v.define_locals(n, t).unwrap();
    }
    let mut states = vec![("start".to_string(), v.operand_height(), v.control_height(), v.is_unreachable())];
    while !ops.eof() {
        let (op, at) = ops.read_with_offset().unwrap();
        v.op(at, &op).unwrap();
        states.push((op.name().to_string(), v.operand_height(), v.control_height(), v.is_unreachable()));
    }
    v.finish(ops.offset()).unwrap();
    states
}

#[test]
fn queries_describe_the_state_between_operators() {
    let got = trace(
        "(module (func (param i32) (result i32)
            i32.const 1 local.get 0 i32.add
            block (param i32) (result i32) i32.const 3 br 0 i32.const 1 end
            unreachable drop))",
    );
    let want: Vec<(&str, usize, usize, bool)> = vec![
        ("start", 0, 1, false),
        ("i32.const", 1, 1, false),
        ("local.get", 2, 1, false),
        ("i32.add", 1, 1, false),
        ("block", 1, 2, false),     // the parameter is re-pushed inside the block
        ("i32.const", 2, 2, false), //
        ("br", 0, 2, true),         // the frame's operands are gone
        ("i32.const", 1, 2, true),  // unreachable code still pushes
        ("end", 1, 1, false),       // the block's result
        ("unreachable", 0, 1, true),
        ("drop", 0, 1, true), // pops nothing real
        ("end", 1, 0, false), // the function's results; no frame left
    ];
    let got: Vec<(&str, usize, usize, bool)> = got.iter().map(|(n, a, b, c)| (n.as_str(), *a, *b, *c)).collect();
    assert_eq!(got, want);
}

#[test]
fn frames_types_and_locals() {
    let bytes = wat("(module (type $bt (func (param i64) (result f32 f64)))
           (func (param i32 f64) (local i64 i64 externref)
             i64.const 0 loop (type $bt) drop f32.const 0 f64.const 0 end unreachable))");
    let module = Module::parse(&bytes).unwrap();
    let info = validate(&module).unwrap();
    let mut v = FuncValidator::new(&info, 0).unwrap();
    let (locals, mut ops) = module.code[0].read_locals().unwrap();
    for (n, t) in locals {
        v.define_locals(n, t).unwrap();
    }
    assert_eq!(v.num_locals(), 5);
    assert_eq!(v.local_type(0), Some(ValType::I32));
    assert_eq!(v.local_type(3), Some(ValType::I64));
    assert_eq!(v.local_type(4), Some(ValType::EXTERNREF));
    assert_eq!(v.local_type(5), None);
    let f = v.control(0).unwrap();
    assert_eq!((f.kind, f.height, f.num_params, f.num_results), (FrameKind::Func, 0, 0, 0));
    assert!(v.control(1).is_none());

    let mut step = |v: &mut FuncValidator<'_>| {
        let (op, at) = ops.read_with_offset().unwrap();
        v.op(at, &op).unwrap();
    };
    step(&mut v); // i64.const
    step(&mut v); // loop
    let f = v.control(0).unwrap().clone();
    assert_eq!(f.kind, FrameKind::Loop);
    assert_eq!((f.height, f.num_params, f.num_results, f.label_arity()), (0, 1, 2, 1));
    assert_eq!(v.label_types(0), Some(&[ValType::I64][..]));
    assert_eq!(v.label_types(1), Some(&[][..]));
    assert_eq!(v.block_params_results(f.block_type), (&[ValType::I64][..], &[ValType::F32, ValType::F64][..]));
    assert_eq!(v.operand_type(0), Some(Some(ValType::I64)));
    assert_eq!(v.operand_type(1), None);
    assert_eq!(v.control(1).unwrap().kind, FrameKind::Func);
    step(&mut v); // drop
    step(&mut v); // f32.const
    step(&mut v); // f64.const
    assert_eq!(v.operand_type(0), Some(Some(ValType::F64)));
    assert_eq!(v.operand_type(1), Some(Some(ValType::F32)));
    step(&mut v); // end
    assert_eq!((v.operand_height(), v.control_height()), (2, 1));
    step(&mut v); // unreachable
    assert!(v.is_unreachable());
    assert_eq!(v.operand_height(), 0);
    step(&mut v); // end
    assert_eq!(v.control_height(), 0);
    assert!(!v.is_unreachable());
    v.finish(ops.offset()).unwrap();
    // Nothing may follow the final end.
    assert!(v.op(0, &wisp_validator::Operator::Nop {}).is_err());
}

#[test]
fn block_params_results_of_an_unknown_type_is_empty() {
    let info = valid("(module (func))");
    let v = FuncValidator::new(&info, 0).unwrap();
    assert_eq!(v.block_params_results(wisp_decoder::BlockType::FuncType(99)), (&[][..], &[][..]));
    assert!(FuncValidator::new(&info, 1).is_err());
}

#[test]
fn allocations_are_reused_across_functions() {
    let info = valid("(module (func (param i32) (result i32) local.get 0) (func (result i64) i64.const 1))");
    let mut v = FuncValidator::new(&info, 0).unwrap();
    v.op(0, &wisp_validator::Operator::LocalGet { local_index: 0 }).unwrap();
    v.op(0, &wisp_validator::Operator::End {}).unwrap();
    v.finish(0).unwrap();
    let allocs = v.into_allocations();
    let mut v = FuncValidator::with_allocations(&info, 1, allocs).unwrap();
    // A fresh start: no leftover locals, operands or frames.
    assert_eq!((v.num_locals(), v.operand_height(), v.control_height()), (0, 0, 1));
    v.op(0, &wisp_validator::Operator::I64Const { value: 1 }).unwrap();
    v.op(0, &wisp_validator::Operator::End {}).unwrap();
    v.finish(0).unwrap();
}

#[test]
fn too_many_locals() {
    let info = valid("(module (func))");
    let mut v = FuncValidator::new(&info, 0).unwrap();
    v.define_locals(50_000, ValType::I32).unwrap();
    assert!(v.define_locals(1, ValType::I32).is_err());
    let mut v = FuncValidator::new(&info, 0).unwrap();
    assert!(v.define_locals(u32::MAX, ValType::I64).is_err());
}

//! Module-level rules: index spaces, limits, constant expressions, exports, start, segments,
//! data count, declared function references. Each rule with a valid and an invalid case.

mod common;
use common::*;
use wisp_validator::Features;

#[test]
fn type_indices_of_imports_and_functions() {
    valid(r#"(module (type (func)) (import "m" "f" (func (type 0))) (func (type 0)))"#);
    invalid(r#"(module (type (func)) (import "m" "f" (func (type 1))))"#, "unknown type");
    invalid(r#"(module (type (func)) (func (type 1)))"#, "unknown type");
}

#[test]
fn memory_limits() {
    valid("(module (memory 0 65536))");
    valid("(module (memory 65536))");
    invalid("(module (memory 65537))", "memory size must be at most 65536 pages (4GiB)");
    invalid("(module (memory 0 65537))", "memory size must be at most 65536 pages (4GiB)");
    invalid("(module (memory 2 1))", "size minimum must not be greater than maximum");
    invalid(r#"(module (import "m" "mem" (memory 2 1)))"#, "size minimum must not be greater than maximum");
}

#[test]
fn table_limits() {
    valid("(module (table 1 1 funcref))");
    valid("(module (table 0xffffffff funcref))");
    invalid("(module (table 2 1 funcref))", "size minimum must not be greater than maximum");
    invalid(r#"(module (import "m" "t" (table 5 4 externref)))"#, "size minimum must not be greater than maximum");
}

#[test]
fn multiple_memories_need_the_proposal() {
    invalid("(module (memory 1) (memory 1))", "multiple memories");
    invalid(r#"(module (import "m" "mem" (memory 1)) (memory 1))"#, "multiple memories");
    let multi = Features { multi_memory: true, ..Features::wasm2() };
    let info = valid_with("(module (memory 1) (memory 2))", multi);
    assert_eq!(info.memories.len(), 2);
    // Several tables are 2.0 (reference types), but not 1.0.
    valid("(module (table 1 funcref) (table 1 externref))");
    let w1 = Features { bulk_memory: true, ..Features::wasm1() };
    invalid_with("(module (table 1 funcref) (table 1 funcref))", w1, "multiple tables");
}

#[test]
fn global_initializers() {
    valid("(module (global i32 (i32.const 1)) (global f64 (f64.const 2)) (global externref (ref.null extern)))");
    valid(r#"(module (import "m" "g" (global i64)) (global i64 (global.get 0)))"#);
    valid("(module (func $f) (global funcref (ref.func $f)))");
    invalid("(module (global i32 (i64.const 1)))", "type mismatch");
    invalid("(module (global i32))", "type mismatch");
    invalid("(module (global i32 (i32.const 1) (i32.const 2)))", "type mismatch");
    invalid("(module (global i32 (i32.const 1) (i32.const 2) (i32.add)))", "constant expression required");
    invalid("(module (global i32 (nop)))", "constant expression required");
    invalid("(module (global i32 (i32.const 0) (nop)))", "constant expression required");
    invalid("(module (global f32 (f32.neg (f32.const 1))))", "constant expression required");
    // Constness is reported before typing, as the reference interpreter does.
    invalid("(module (global i32 (f32.const 0) (nop)))", "constant expression required");
    invalid(
        r#"(module (import "m" "g" (global (mut i32))) (global i32 (global.get 0)))"#,
        "constant expression required",
    );
    // In 2.0 only imported globals are visible to constant expressions.
    invalid("(module (global i32 (i32.const 0)) (global i32 (global.get 0)))", "unknown global");
    invalid("(module (global i32 (global.get 1)) (global i32 (i32.const 0)))", "unknown global 1");
    invalid(r#"(module (import "m" "g" (global i64)) (global i32 (global.get 0)))"#, "type mismatch");
    invalid("(module (global funcref (ref.func 3)))", "unknown function 3");
    invalid("(module (global funcref (ref.null extern)))", "type mismatch");
}

#[test]
fn extended_const_when_enabled() {
    let text = r#"(module (import "m" "g" (global i32)) (global i32 (i32.add (global.get 0) (i32.const 4))))"#;
    invalid(text, "constant expression required");
    let ext = Features { extended_const: true, ..Features::wasm2() };
    valid_with(text, ext);
    invalid_with("(module (global i32 (i32.add (i64.const 1) (i32.const 4))))", ext, "type mismatch");
    invalid_with("(module (global i64 (i64.mul (i64.const 1))))", ext, "type mismatch");
}

#[test]
fn exports() {
    let info = valid(
        r#"(module (func (export "f")) (table (export "t") 1 funcref) (memory (export "m") 1)
                   (global (export "g") (mut i32) (i32.const 0)))"#,
    );
    assert!(info.declared_funcs[0], "exported functions may be referenced");
    invalid(r#"(module (func (export "a")) (func (export "a")))"#, "duplicate export name");
    invalid(r#"(module (func (export "a")) (memory (export "a") 1))"#, "duplicate export name");
    invalid(r#"(module (export "f" (func 0)))"#, "unknown function 0");
    invalid(r#"(module (func) (export "f" (func 1)))"#, "unknown function 1");
    invalid(r#"(module (export "t" (table 0)))"#, "unknown table 0");
    invalid(r#"(module (export "m" (memory 0)))"#, "unknown memory 0");
    invalid(r#"(module (global i32 (i32.const 0)) (export "g" (global 1)))"#, "unknown global 1");
    // Mutable globals may be imported and exported (2.0).
    valid(r#"(module (import "m" "g" (global (mut i32))) (export "g" (global 0)))"#);
    // ... but not in the MVP before that proposal.
    let mvp = Features { mutable_global: false, ..Features::wasm1() };
    invalid_with(r#"(module (import "m" "g" (global (mut i32))))"#, mvp, "mutable globals cannot be imported");
    invalid_with(
        r#"(module (global (export "g") (mut i32) (i32.const 0)))"#,
        mvp,
        "mutable globals cannot be exported",
    );
    valid_with(r#"(module (import "m" "g" (global i32)) (export "g" (global 0)))"#, mvp);
}

#[test]
fn start_function() {
    valid("(module (func $s) (start $s))");
    valid(r#"(module (import "m" "s" (func $s)) (start $s))"#);
    invalid("(module (start 0))", "unknown function");
    invalid("(module (func $s (param i32)) (start $s))", "start function");
    invalid("(module (func $s (result i32) i32.const 0) (start $s))", "start function");
}

#[test]
fn element_segments() {
    let info = valid(
        r#"(module (table 4 funcref) (table 4 externref) (func $f) (func $g)
             (elem (i32.const 0) $f $g)
             (elem (table 0) (i32.const 2) funcref (ref.func $f) (ref.null func))
             (elem (table 1) (i32.const 0) externref (ref.null extern))
             (elem funcref (ref.func $g))
             (elem declare func $f)
             (elem externref))"#,
    );
    use wisp_validator::ValType;
    assert_eq!(info.elements.len(), 6);
    assert_eq!(ValType::Ref(info.elements[2]), ValType::EXTERNREF);
    invalid("(module (func $f) (elem (i32.const 0) $f))", "unknown table 0");
    invalid("(module (table 1 funcref) (func $f) (elem (table 1) (i32.const 0) func $f))", "unknown table 1");
    invalid("(module (table 1 funcref) (func $f) (elem (i64.const 0) $f))", "type mismatch");
    invalid("(module (table 1 funcref) (func $f) (elem (i32.ctz (i32.const 0)) $f))", "constant expression required");
    invalid("(module (table 1 externref) (elem (i32.const 0) externref (ref.null extern)) (elem (table 0) (i32.const 0) funcref))", "type mismatch");
    invalid("(module (table 1 funcref) (elem (i32.const 0) 0))", "unknown function 0");
    invalid("(module (table 1 funcref) (elem (i32.const 0) funcref (ref.null extern)))", "type mismatch");
    invalid("(module (elem funcref (i32.const 0)))", "type mismatch");
    invalid("(module (elem funcref (ref.func 7)))", "unknown function 7");
    invalid("(module (elem declare func 2))", "unknown function 2");
    // Offsets may read imported immutable globals only.
    valid(r#"(module (import "m" "g" (global i32)) (table 1 funcref) (func $f) (elem (global.get 0) $f))"#);
    invalid(
        r#"(module (import "m" "g" (global (mut i32))) (table 1 funcref) (elem (global.get 0)))"#,
        "constant expression required",
    );
}

#[test]
fn data_segments() {
    valid(r#"(module (memory 1) (data (i32.const 0) "a") (data "passive"))"#);
    valid(r#"(module (import "m" "g" (global i32)) (memory 1) (data (global.get 0) "a"))"#);
    invalid(r#"(module (data (i32.const 0) "a"))"#, "unknown memory 0");
    invalid(r#"(module (memory 1) (data (i64.const 0) "a"))"#, "type mismatch");
    invalid(r#"(module (memory 1) (data (offset (i32.const 0) (i32.const 0)) "a"))"#, "type mismatch");
    invalid(r#"(module (memory 1) (data (offset (nop)) "a"))"#, "constant expression required");
    invalid(r#"(module (memory 1) (data (global.get 0) "a"))"#, "unknown global 0");
    // A passive segment needs no memory.
    valid(r#"(module (data "x"))"#);
}

#[test]
fn data_count_and_bulk_memory() {
    // `wast` writes a data count section whenever bodies use memory.init or data.drop.
    valid(
        r#"(module (memory 1) (data "x") (func (memory.init 0 (i32.const 0) (i32.const 0) (i32.const 1)) (data.drop 0)))"#,
    );
    invalid(r#"(module (memory 1) (data "x") (func (data.drop 1)))"#, "unknown data segment 1");
    invalid(
        r#"(module (data "x") (func (memory.init 0 (i32.const 0) (i32.const 0) (i32.const 1))))"#,
        "unknown memory 0",
    );
    // Without a data count section, by hand: memory section, code using data.drop, one data.
    let m = b"\0asm\x01\0\0\0\
        \x01\x04\x01\x60\x00\x00\
        \x03\x02\x01\x00\
        \x05\x03\x01\x00\x00\
        \x0a\x07\x01\x05\x00\xfc\x09\x00\x0b\
        \x0b\x04\x01\x01\x01\x61";
    let e = wisp_validator::validate_bytes(m, Features::wasm2()).unwrap_err();
    assert_eq!(e.message(), "data count section required");
    // The same module with a data count section (id 12) before the code section validates.
    let mut with_count = m[..8 + 6 + 4 + 5].to_vec();
    with_count.extend_from_slice(b"\x0c\x01\x01");
    with_count.extend_from_slice(&m[8 + 6 + 4 + 5..]);
    wisp_validator::validate_bytes(&with_count, Features::wasm2()).unwrap();
}

#[test]
fn declared_function_references() {
    let undeclared = "(module (func $f) (func (drop (ref.func $f))))";
    invalid(undeclared, "undeclared function reference");
    valid(r#"(module (func $f (export "f")) (func (drop (ref.func $f))))"#);
    valid("(module (func $f) (elem declare func $f) (func (drop (ref.func $f))))");
    valid("(module (table 1 funcref) (func $f) (elem (i32.const 0) $f) (func (drop (ref.func $f))))");
    valid("(module (func $f) (elem funcref (ref.func $f)) (func (drop (ref.func $f))))");
    valid("(module (func $f) (global funcref (ref.func $f)) (func (drop (ref.func $f))))");
    // A reference inside a body does not declare the function.
    invalid("(module (func $f) (func (drop (ref.func $f)) (drop (ref.func $f))))", "undeclared function reference");
    invalid("(module (func (drop (ref.func 9))))", "unknown function 9");
    let info = valid("(module (func $a) (func $b) (elem declare func $b))");
    assert_eq!(info.declared_funcs, vec![false, true]);
}

#[test]
fn module_info_index_spaces() {
    let info = valid(
        r#"(module
             (type $t0 (func (param i32)))
             (type $t1 (func (result i64)))
             (import "m" "f" (func (type $t1)))
             (import "m" "t" (table 1 funcref))
             (import "m" "mem" (memory 1))
             (import "m" "g" (global f32))
             (func (type $t0))
             (table 2 externref)
             (global (mut i32) (i32.const 0))
             (elem externref))"#,
    );
    assert_eq!(info.funcs, vec![1, 0]);
    assert_eq!(info.num_imported_funcs, 1);
    assert_eq!(info.num_imported_tables, 1);
    assert_eq!(info.num_imported_memories, 1);
    assert_eq!(info.num_imported_globals, 1);
    assert_eq!(info.tables.len(), 2);
    assert_eq!(info.memories.len(), 1);
    assert_eq!(info.globals.len(), 2);
    assert!(info.globals[1].mutable);
    assert_eq!(info.elements.len(), 1);
    assert_eq!(info.data_count, None);
    assert_eq!(info.func_type(0).unwrap().results(), &[wisp_validator::ValType::I64]);
    assert!(info.func_type(2).is_none());
}

#[test]
fn one_value_results_in_1_0() {
    let w1 = Features::wasm1();
    valid_with("(module (func (result i32) (i32.const 0)))", w1);
    invalid_with("(module (type (func (result i32 i32))))", w1, "invalid result arity");
    valid("(module (type (func (result i32 i32))))");
}

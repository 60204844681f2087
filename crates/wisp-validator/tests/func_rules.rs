//! Function bodies: each operator family with valid and invalid cases, unreachable code,
//! multi-value blocks, br_table, features, and the error messages.

mod common;
use common::*;
use wisp_validator::Features;

#[test]
fn plain_operators_from_the_table() {
    body_valid("(result i32)", "i32.const 1 i32.const 2 i32.add");
    body_valid("(result f64)", "i64.const 1 f64.convert_i64_u f64.sqrt");
    body_valid("(result i32)", "f32.const 1 f32.const 2 f32.lt");
    body_valid("", "nop");
    body_invalid("(result i32)", "i32.const 1 f32.const 2 i32.add", "type mismatch");
    body_invalid("(result i32)", "i32.const 1 i32.add", "type mismatch");
    body_invalid("(result i64)", "i32.const 1 i32.const 2 i32.add", "type mismatch");
    body_invalid("(result i32)", "i32.const 1 i32.const 2", "type mismatch");
    body_invalid("", "i32.const 1", "type mismatch");
    body_invalid("(result i32)", "", "type mismatch");
    body_invalid("", "f64.const 1 i64.trunc_f32_s drop", "type mismatch");
}

#[test]
fn proposals_must_be_enabled() {
    let w1 = Features::wasm1();
    invalid_with("(module (func (result i32) (i32.extend8_s (i32.const 1))))", w1, "illegal opcode");
    invalid_with("(module (func (result i32) (i32.trunc_sat_f32_s (f32.const 1))))", w1, "illegal opcode");
    let no_sat = Features { saturating_float_to_int: false, ..Features::wasm2() };
    invalid_with("(module (func (result i32) (i32.trunc_sat_f32_s (f32.const 1))))", no_sat, "illegal opcode");
    body_valid("(result i32)", "i32.const 1 i32.extend8_s");
    body_valid("(result i64)", "f64.const 1 i64.trunc_sat_f64_u");
}

#[test]
fn locals() {
    body_valid("(param i32) (result i32) (local f32)", "local.get 0 local.get 1 local.set 1");
    body_valid("(param i64) (result i64)", "local.get 0 local.tee 0");
    body_invalid("(param i32)", "local.get 1 drop", "unknown local 1");
    body_invalid("(param i32) (local i64)", "i32.const 0 local.set 1", "type mismatch");
    body_invalid("(param i32)", "f32.const 0 local.tee 0 drop", "type mismatch");
    body_invalid("", "i32.const 0 local.set 0", "unknown local 0");
}

#[test]
fn globals() {
    let g = r#"(import "m" "g" (global i32)) (global $m (mut f32) (f32.const 0))"#;
    valid(&format!("(module {g} (func (result i32) global.get 0 f32.const 1 global.set 1))"));
    invalid(&format!("(module {g} (func i32.const 1 global.set 0))"), "global is immutable");
    invalid(&format!("(module {g} (func i32.const 1 global.set 1))"), "type mismatch");
    invalid(&format!("(module {g} (func global.get 2 drop))"), "unknown global 2");
    invalid(&format!("(module {g} (func f32.const 0 global.set 2))"), "unknown global 2");
}

#[test]
fn calls() {
    valid("(module (func $f (param i32 i64) (result f32) f32.const 0) (func (result f32) i32.const 0 i64.const 0 call $f))");
    invalid("(module (func $f (param i32 i64)) (func i64.const 0 i32.const 0 call $f))", "type mismatch");
    invalid("(module (func call 5))", "unknown function 5");
    let t = "(type $t (func (param i32) (result i32))) (table 1 funcref)";
    valid(&format!("(module {t} (func (result i32) i32.const 5 i32.const 0 call_indirect (type $t)))"));
    invalid(&format!("(module {t} (func (result i32) i32.const 5 call_indirect (type $t)))"), "type mismatch");
    invalid(&format!("(module {t} (func i32.const 0 call_indirect (type 9)))"), "unknown type");
    invalid("(module (type (func)) (func i32.const 0 call_indirect (type 0)))", "unknown table");
    invalid("(module (type (func)) (table 1 externref) (func i32.const 0 call_indirect (type 0)))", "type mismatch");
    valid("(module (type (func)) (table 1 externref) (table 1 funcref) (func i32.const 0 call_indirect 1 (type 0)))");
}

#[test]
fn blocks_and_multi_value() {
    body_valid("(result i32)", "block (result i32) i32.const 1 end");
    body_valid("(result i32)", "loop (result i32) i32.const 1 end");
    body_valid(
        "(result i32 i64)",
        "i32.const 1 i64.const 2 block (param i32 i64) (result i32 i64) i64.const 3 i64.add end",
    );
    body_invalid(
        "(result i64 i32)",
        "i32.const 1 i64.const 2 block (param i32 i64) (result i64 i32) end",
        "type mismatch",
    );
    body_invalid(
        "(result i32 i64)",
        "i64.const 2 i32.const 1 block (param i32 i64) (result i32 i64) end",
        "type mismatch",
    );
    body_valid("(result i32)", "i32.const 1 loop (param i32) (result i32) end");
    body_invalid("(result i32)", "block (result i32) end", "type mismatch");
    body_invalid("", "block i32.const 1 end", "type mismatch");
    body_invalid("", "i32.const 1 block (param i32) end", "type mismatch");
    body_invalid("", "block (param i32) drop end", "type mismatch");
    body_invalid("", "f32.const 1 block (param i32) drop end", "type mismatch");
    body_invalid("(result i32)", "block (result i32) i64.const 1 end", "type mismatch");
    // A block sees only its own operands.
    body_invalid("(result i32)", "i32.const 1 block (result i32) i32.const 1 i32.add end", "type mismatch");
    invalid("(module (func block (type 7) end))", "unknown type");
}

#[test]
fn if_else() {
    body_valid("(result i32)", "i32.const 1 if (result i32) i32.const 2 else i32.const 3 end");
    body_valid("", "i32.const 1 if nop end");
    body_valid("(result i32)", "i32.const 5 i32.const 1 if (param i32) (result i32) end");
    body_invalid("(result i32)", "i32.const 1 if (result i32) i32.const 2 end", "type mismatch");
    body_invalid("(result i32)", "i32.const 1 if (result i32) i32.const 2 else end", "type mismatch");
    body_invalid("(result i32)", "i32.const 1 if (result i32) else i32.const 2 end", "type mismatch");
    body_invalid("(result i32)", "i32.const 1 if (result i32) i32.const 2 else f32.const 3 end", "type mismatch");
    body_invalid("", "f32.const 1 if end", "type mismatch");
    body_invalid("", "if end", "type mismatch");
    body_invalid(
        "(result i32)",
        "i64.const 5 i32.const 1 if (param i64) (result i32) i32.wrap_i64 end",
        "type mismatch",
    );
    // The else branch starts again from the parameters.
    body_valid("(result i64)", "i64.const 5 i32.const 1 if (param i64) (result i64) else i64.const 1 i64.add end");
}

#[test]
fn branches() {
    body_valid("(result i32)", "block (result i32) i32.const 1 br 0 end");
    body_valid("", "loop br 0 end");
    body_valid("(result i32)", "i32.const 1 br 0");
    body_valid("(result i32)", "block (result i32) i32.const 1 i32.const 0 br_if 0 end");
    // A loop's label carries its parameters, not its results.
    body_valid("(result i32)", "i32.const 0 loop (param i32) (result i32) i32.const 1 br 0 end");
    body_valid("(result f32)", "i32.const 0 loop (param i32) (result f32) br 0 end");
    body_valid("(result i32)", "loop (result i32) br 0 end");
    body_invalid(
        "(result f32)",
        "i32.const 0 loop (param i32) (result f32) drop f32.const 0 br 0 end",
        "type mismatch",
    );
    body_invalid("(result i32)", "block (result i32) loop (result i32) br 1 end end", "type mismatch");
    body_invalid("", "block br 2 end", "unknown label 2");
    body_valid("", "block br 1 end");
    body_invalid("", "br 1", "unknown label 1");
    body_invalid("", "block i32.const 0 br_if 2 end", "unknown label");
    body_invalid("(result i32)", "block (result i32) f32.const 1 br 0 end", "type mismatch");
    body_invalid("(result i32)", "block (result i32) i32.const 1 br_if 0 end", "type mismatch");
    body_invalid("", "block (result i32) i32.const 0 i32.const 0 br_if 0 end", "type mismatch");
    body_valid("(result i32)", "i32.const 1 return");
    body_invalid("(result i32)", "i64.const 1 return", "type mismatch");
    body_invalid("(result i32)", "return", "type mismatch");
}

#[test]
fn br_table() {
    body_valid("", "block block i32.const 0 br_table 0 1 0 end end");
    body_valid("(result i32)", "block (result i32) block (result i32) i32.const 7 i32.const 0 br_table 0 1 1 end end");
    body_invalid("", "block block i32.const 0 br_table 0 3 end end", "unknown label");
    body_invalid("", "block block i32.const 0 br_table 0 1 3 end end", "unknown label");
    body_invalid("", "block f32.const 1 br_table 0 end", "type mismatch");
    // Different arities: type mismatch, even in unreachable code.
    body_invalid(
        "(result i32)",
        "block (result i32) block i32.const 7 i32.const 0 br_table 0 1 end i32.const 0 end",
        "type mismatch",
    );
    body_invalid(
        "(result i32)",
        "block (result i32) block unreachable br_table 0 1 end i32.const 0 end",
        "type mismatch",
    );
    // Same arity, different types: fine when the operand is unknown, not when it is known.
    body_valid("", "block (result f32) block (result i32) unreachable br_table 0 1 end drop f32.const 0 end drop");
    body_invalid(
        "",
        "block (result f32) block (result i32) i32.const 1 i32.const 0 br_table 0 1 end drop f32.const 0 end drop",
        "type mismatch",
    );
    // The default is checked as well as the targets.
    body_invalid(
        "",
        "block (result f32) block (result i32) i32.const 1 i32.const 0 br_table 0 0 1 end drop f32.const 0 end drop",
        "type mismatch",
    );
}

#[test]
fn unreachable_code() {
    body_valid("(result i32)", "unreachable");
    body_valid("(result i32)", "unreachable i32.add");
    body_valid("(result i32)", "unreachable i32.const 0 i32.add");
    body_valid("(result f64)", "block (result f64) unreachable end");
    body_valid("", "unreachable drop drop drop");
    body_valid("(result i32)", "unreachable select");
    body_valid("(result i32)", "unreachable i32.const 1 select");
    body_invalid("(result i32)", "return i32.const 1 select", "type mismatch");
    body_valid("", "block br 0 i32.const 0 i32.add drop end");
    body_invalid("", "block br 0 i64.const 0 i32.add drop end", "type mismatch");
    body_invalid("(result i32)", "unreachable i64.const 0 i32.add", "type mismatch");
    body_invalid("(result i32)", "unreachable f32.const 0", "type mismatch");
    body_invalid("", "unreachable i32.const 0", "type mismatch");
    // Unreachability ends with the frame.
    body_invalid("(result i32)", "block unreachable end i32.add", "type mismatch");
    // An else branch is reachable again.
    body_invalid("(result i32)", "i32.const 1 if (result i32) unreachable else end", "type mismatch");
    // br_if pushes the label's types, not unknowns.
    body_invalid(
        "",
        "unreachable block (result i32) unreachable i32.const 0 br_if 0 f32.add end drop",
        "type mismatch",
    );
}

#[test]
fn drop_and_select() {
    body_valid("", "i32.const 1 drop");
    body_invalid("", "drop", "type mismatch");
    body_valid("(result f32)", "f32.const 1 f32.const 2 i32.const 0 select");
    body_invalid("(result f32)", "f32.const 1 f64.const 2 i32.const 0 select", "type mismatch");
    body_invalid("(result f32)", "f32.const 1 f32.const 2 i64.const 0 select", "type mismatch");
    body_invalid("", "ref.null func ref.null func i32.const 0 select drop", "type mismatch");
    body_invalid("", "unreachable ref.null func i32.const 0 select drop", "type mismatch");
    body_valid("(result funcref)", "ref.null func ref.null func i32.const 0 select (result funcref)");
    body_invalid(
        "(result funcref)",
        "ref.null func ref.null extern i32.const 0 select (result funcref)",
        "type mismatch",
    );
    // An unknown operand takes the type of the other.
    body_invalid("", "unreachable i32.const 0 i32.const 0 select f32.neg drop", "type mismatch");
    body_valid("", "unreachable i32.const 0 select i64.eqz drop");
}

#[test]
fn memory_operators() {
    let m = "(memory 1)";
    valid(&format!("(module {m} (func (result i64) i32.const 0 i64.load offset=8 align=8))"));
    valid(&format!("(module {m} (func i32.const 0 i32.const 1 i32.store16 align=2))"));
    valid(&format!("(module {m} (func (result i32) memory.size i32.const 1 memory.grow i32.add))"));
    valid(&format!("(module {m} (func i32.const 0 i32.const 0 i32.const 0 memory.fill i32.const 0 i32.const 0 i32.const 0 memory.copy))"));
    invalid(
        &format!("(module {m} (func (result i32) i32.const 0 i32.load align=8))"),
        "alignment must not be larger than natural",
    );
    invalid(
        &format!("(module {m} (func (result i32) i32.const 0 i32.load8_u align=2))"),
        "alignment must not be larger than natural",
    );
    invalid(
        &format!("(module {m} (func i32.const 0 i64.const 0 i64.store32 align=8))"),
        "alignment must not be larger than natural",
    );
    invalid(&format!("(module {m} (func i32.const 0 f32.const 0 i32.store))"), "type mismatch");
    invalid(&format!("(module {m} (func (result i32) i64.const 0 i32.load))"), "type mismatch");
    invalid("(module (func (result i32) i32.const 0 i32.load))", "unknown memory 0");
    invalid("(module (func i32.const 0 i32.const 0 i32.store))", "unknown memory 0");
    invalid("(module (func (result i32) memory.size))", "unknown memory 0");
    invalid("(module (func (result i32) i32.const 0 memory.grow))", "unknown memory 0");
    invalid("(module (func i32.const 0 i32.const 0 i32.const 0 memory.fill))", "unknown memory 0");
    invalid(&format!("(module {m} (func (result i32) f32.const 0 memory.grow))"), "type mismatch");
    invalid(&format!("(module {m} (func i32.const 0 i32.const 0 memory.fill))"), "type mismatch");
}

#[test]
fn table_operators() {
    let t = "(table $f 1 funcref) (table $e 1 externref) (elem $ef funcref) (elem $ee externref)";
    valid(&format!(
        "(module {t} (func (result funcref) i32.const 0 table.get $f)
           (func i32.const 0 ref.null extern table.set $e)
           (func (result i32) ref.null func i32.const 1 table.grow $f table.size $e i32.add)
           (func i32.const 0 ref.null extern i32.const 1 table.fill $e)
           (func i32.const 0 i32.const 0 i32.const 0 table.copy $f $f)
           (func i32.const 0 i32.const 0 i32.const 0 table.init $e $ee elem.drop $ef))"
    ));
    invalid(&format!("(module {t} (func i32.const 0 ref.null func table.set $e))"), "type mismatch");
    invalid(&format!("(module {t} (func (result externref) i32.const 0 table.get $f))"), "type mismatch");
    invalid(&format!("(module {t} (func i32.const 0 i32.const 0 i32.const 0 table.copy $f $e))"), "type mismatch");
    invalid(&format!("(module {t} (func i32.const 0 i32.const 0 i32.const 0 table.init $f $ee))"), "type mismatch");
    invalid(&format!("(module {t} (func (result i32) ref.null extern i32.const 1 table.grow $f))"), "type mismatch");
    invalid(&format!("(module {t} (func elem.drop 4))"), "unknown elem segment 4");
    invalid(
        &format!("(module {t} (func i32.const 0 i32.const 0 i32.const 0 table.init 0 7))"),
        "unknown elem segment 7",
    );
    invalid(&format!("(module {t} (func (result i32) table.size 2))"), "unknown table 2");
    invalid("(module (func (result funcref) i32.const 0 table.get 0))", "unknown table 0");
    invalid("(module (func i32.const 0 i32.const 0 i32.const 0 table.copy 0 0))", "unknown table 0");
}

#[test]
fn reference_operators() {
    body_valid("(result i32)", "ref.null extern ref.is_null");
    body_valid("(result externref)", "ref.null extern");
    body_invalid("(result i32)", "i32.const 0 ref.is_null", "type mismatch");
    body_invalid("(result i32)", "ref.is_null", "type mismatch");
    body_valid("(result i32)", "unreachable ref.is_null");
    body_invalid("(result funcref)", "ref.null extern", "type mismatch");
}

#[test]
fn body_structure() {
    use wisp_validator::validate_bytes;
    // Operators after the final `end`.
    let m = module_with_body(&[], &[], &[0x0b, 0x01, 0x0b]);
    assert!(validate_bytes(&m, Features::wasm2()).is_err());
    // No final `end`.
    let m = module_with_body(&[], &[], &[0x01]);
    assert!(validate_bytes(&m, Features::wasm2()).is_err());
    // `else` outside an `if`.
    let m = module_with_body(&[], &[], &[0x02, 0x40, 0x05, 0x0b, 0x0b]);
    assert!(validate_bytes(&m, Features::wasm2()).is_err());
    let m = module_with_body(&[], &[], &[0x02, 0x40, 0x0b, 0x0b]);
    assert!(validate_bytes(&m, Features::wasm2()).is_ok());
    // `else` twice.
    let m = module_with_body(&[], &[], &[0x41, 0x00, 0x04, 0x40, 0x05, 0x05, 0x0b, 0x0b]);
    assert!(validate_bytes(&m, Features::wasm2()).is_err());
}

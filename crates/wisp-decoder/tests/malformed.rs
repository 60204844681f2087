//! Malformed binaries the spec testsuite taught the decoder about, one rule per test, with the
//! reference interpreter's wording.

use wisp_decoder::{ErrorKind, Features, Module, Operator};

const HEADER: &[u8] = b"\0asm\x01\0\0\0";

/// A module from (section id, contents) pairs; section sizes are filled in (one-byte LEB).
fn module(sections: &[(u8, &[u8])]) -> Vec<u8> {
    let mut m = HEADER.to_vec();
    for (id, body) in sections {
        assert!(body.len() < 0x80);
        m.push(*id);
        m.push(body.len() as u8);
        m.extend_from_slice(body);
    }
    m
}

fn parse_err(bytes: &[u8], f: Features) -> ErrorKind {
    Module::parse_with_features(bytes, f).expect_err("should be malformed").kind
}

/// Decodes every operator of every body; returns the first error.
fn decode_all(bytes: &[u8], f: Features) -> Result<(), ErrorKind> {
    let m = Module::parse_with_features(bytes, f).map_err(|e| e.kind)?;
    for body in &m.code {
        let (_, mut ops) = body.read_locals().map_err(|e| e.kind)?;
        while !ops.eof() {
            ops.read().map_err(|e| e.kind)?;
        }
    }
    Ok(())
}

/// One function of type () -> () with the given body (locals vector included), with `before`
/// between the function and code sections and `after` after the code section.
fn with_body(before: &[(u8, &[u8])], body: &[u8], after: &[(u8, &[u8])]) -> Vec<u8> {
    let mut code = vec![1u8, body.len() as u8];
    code.extend_from_slice(body);
    let mut sections: Vec<(u8, &[u8])> = vec![(1, &[1, 0x60, 0, 0]), (3, &[1, 0])];
    sections.extend_from_slice(before);
    sections.push((10, &code));
    sections.extend_from_slice(after);
    module(&sections)
}

#[test]
fn truncated_header_is_unexpected_end() {
    for n in 0..8 {
        assert_eq!(parse_err(&HEADER[..n], Features::wasm2()), ErrorKind::UnexpectedEnd, "{n} bytes");
    }
    assert_eq!(parse_err(b"asm\0\x01\0\0\0", Features::wasm2()), ErrorKind::BadMagic);
    assert_eq!(parse_err(b"\0asm\0\0\0\x01", Features::wasm2()), ErrorKind::BadVersion);
}

#[test]
fn section_longer_than_module_is_length_out_of_bounds() {
    let mut m = HEADER.to_vec();
    m.extend_from_slice(&[0x00, 0x26, 0x01, b'a']);
    assert_eq!(parse_err(&m, Features::wasm2()), ErrorKind::LengthOutOfBounds);
    // A second module glued on: `\0asm` reads as a custom section of 0x61 bytes.
    let mut twice = HEADER.to_vec();
    twice.extend_from_slice(HEADER);
    assert_eq!(parse_err(&twice, Features::wasm2()), ErrorKind::LengthOutOfBounds);
}

#[test]
fn running_out_inside_a_section() {
    // One table declared, none given.
    assert_eq!(parse_err(&module(&[(4, &[1])]), Features::wasm2()), ErrorKind::UnexpectedEndOfSection);
    // Two types declared, one given.
    assert_eq!(parse_err(&module(&[(1, &[2, 0x60, 0, 0])]), Features::wasm2()), ErrorKind::UnexpectedEndOfSection);
    // Name longer than the section: a length, so out of bounds.
    assert_eq!(parse_err(&module(&[(7, &[1, 5, b'a', 0, 0])]), Features::wasm2()), ErrorKind::LengthOutOfBounds);
}

#[test]
fn limits_flags_words_follow_the_version() {
    // Table with flags 2, 8 and a two-byte LEB for 1: 2.0 reads the flag as a one-bit LEB.
    assert_eq!(parse_err(&module(&[(4, &[1, 0x70, 0x02, 0])]), Features::wasm2()), ErrorKind::IntegerTooLarge);
    assert_eq!(parse_err(&module(&[(4, &[1, 0x70, 0x08, 0])]), Features::wasm2()), ErrorKind::IntegerTooLarge);
    assert_eq!(parse_err(&module(&[(5, &[1, 0x81, 0x00, 0])]), Features::wasm2()), ErrorKind::IntegerTooLong);
    // Shared memory (threads) is never accepted.
    assert_eq!(parse_err(&module(&[(5, &[1, 0x03, 0, 1])]), Features::wasm2()), ErrorKind::IntegerTooLarge);
    // With memory64 the flags are a byte and 64-bit limits exist.
    let f64 = Features { memory64: true, ..Features::wasm2() };
    assert_eq!(parse_err(&module(&[(5, &[1, 0x08, 0])]), f64), ErrorKind::MalformedLimits);
    let bytes = module(&[(5, &[1, 0x05, 1, 2])]);
    let m = Module::parse_with_features(&bytes, f64).unwrap();
    assert!(m.memories[0].memory64);
    assert_eq!(m.memories[0].limits.max, Some(2));
    assert_eq!(parse_err(&module(&[(5, &[1, 0x04, 0])]), Features::wasm2()), ErrorKind::IntegerTooLarge);
}

#[test]
fn type_form_as_long_leb_is_too_long() {
    assert_eq!(parse_err(&module(&[(1, &[1, 0xe0, 0x7f, 0, 0])]), Features::wasm2()), ErrorKind::IntegerTooLong);
    assert_eq!(parse_err(&module(&[(1, &[1, 0x61, 0, 0])]), Features::wasm2()), ErrorKind::MalformedFuncType);
}

#[test]
fn repeated_code_section_is_out_of_order_not_a_count_mismatch() {
    let m = module(&[(1, &[1, 0x60, 0, 0]), (3, &[2, 0, 0]), (10, &[1, 2, 0, 0x0b]), (10, &[1, 2, 0, 0x0b])]);
    assert_eq!(parse_err(&m, Features::wasm2()), ErrorKind::SectionOutOfOrder);
    let m = module(&[(1, &[1, 0x60, 0, 0]), (3, &[2, 0, 0]), (10, &[1, 2, 0, 0x0b])]);
    assert_eq!(parse_err(&m, Features::wasm2()), ErrorKind::FuncCodeMismatch);
    let m = module(&[(1, &[1, 0x60, 0, 0]), (3, &[1, 0])]);
    assert_eq!(parse_err(&m, Features::wasm2()), ErrorKind::FuncCodeMismatch);
}

#[test]
fn alignment_exponent_of_32_or_more_is_malformed() {
    let mem: (u8, &[u8]) = (5, &[1, 0, 1]);
    // i32.const 0; i32.load align=2^31 offset=0; drop; end
    assert!(decode_all(&with_body(&[mem], &[0, 0x41, 0, 0x28, 0x1f, 0, 0x1a, 0x0b], &[]), Features::wasm2()).is_ok());
    for align in [0x20, 0x21, 0x40] {
        let body = [0, 0x41, 0, 0x28, align, 0, 0x1a, 0x0b];
        assert_eq!(decode_all(&with_body(&[mem], &body, &[]), Features::wasm2()), Err(ErrorKind::MalformedMemopFlags));
    }
}

#[test]
fn memory_init_and_data_drop_need_the_data_count_section() {
    let mem: (u8, &[u8]) = (5, &[1, 0, 1]);
    let data: (u8, &[u8]) = (11, &[1, 1, 0]); // one passive segment, empty
    let data_drop = [0, 0xfc, 0x09, 0, 0x0b];
    let memory_init = [0, 0x41, 0, 0x41, 0, 0x41, 0, 0xfc, 0x08, 0, 0, 0x0b];
    for body in [&data_drop[..], &memory_init[..]] {
        assert_eq!(decode_all(&with_body(&[mem], body, &[data]), Features::wasm2()), Err(ErrorKind::DataCountRequired));
        assert_eq!(decode_all(&with_body(&[mem, (12, &[1])], body, &[data]), Features::wasm2()), Ok(()));
    }
}

#[test]
fn operators_of_disabled_proposals_are_illegal() {
    let sign_ext = [0, 0x41, 0, 0xc0, 0x1a, 0x0b]; // i32.extend8_s
    let sat = [0, 0x43, 0, 0, 0, 0, 0xfc, 0x00, 0x1a, 0x0b]; // i32.trunc_sat_f32_s
    let ref_null = [0, 0xd0, 0x70, 0x1a, 0x0b];
    for body in [&sign_ext[..], &sat[..], &ref_null[..]] {
        assert_eq!(decode_all(&with_body(&[], body, &[]), Features::wasm2()), Ok(()));
        assert!(
            matches!(decode_all(&with_body(&[], body, &[]), Features::wasm1()), Err(ErrorKind::IllegalOpcode(_))),
            "{body:x?}"
        );
    }
}

#[test]
fn data_count_section_is_read_in_its_place() {
    let bytes = module(&[(12, &[0]), (11, &[0])]);
    let m = Module::parse(&bytes).unwrap();
    assert_eq!(m.data_count, Some(0));
    assert_eq!(parse_err(&module(&[(12, &[1]), (11, &[0])]), Features::wasm2()), ErrorKind::DataCountMismatch);
    assert_eq!(parse_err(&module(&[(11, &[0]), (12, &[0])]), Features::wasm2()), ErrorKind::SectionOutOfOrder);
    // A body reading operators works after a data count section.
    let bytes = with_body(&[(12, &[0])], &[0, 0x0b], &[]);
    let m = Module::parse(&bytes).unwrap();
    let (_, mut ops) = m.code[0].read_locals().unwrap();
    assert!(matches!(ops.read().unwrap(), Operator::End {}));
}

/// WebAssembly 3.0 encodes every limit as a u64 (memory64 on): a 32-bit memory's or table's
/// limit in a six-byte LEB128 is well-formed there, and too long for 2.0's u32. The fuzzer's
/// `validate` target found wisp reading it as a u32 while wasmparser, and the specification,
/// read a u64 (2026-12-06).
#[test]
fn a_32_bit_limit_is_a_u64_from_memory64_on() {
    // Memory section: one memory, no maximum, a minimum of 512 pages as `80 84 80 80 80 00`.
    let memory = module(&[(5, &[1, 0x00, 0x80, 0x84, 0x80, 0x80, 0x80, 0x00])]);
    let m = Module::parse_with_features(&memory, Features::wasm3()).expect("well-formed in 3.0");
    assert_eq!(m.memories[0].limits.min, 512);
    assert!(!m.memories[0].memory64);
    assert_eq!(parse_err(&memory, Features::wasm2()), ErrorKind::IntegerTooLong);
    // Table section: one funcref table, minimum 3 with a maximum of 5, both padded to six bytes.
    let table =
        module(&[(4, &[1, 0x70, 0x01, 0x83, 0x80, 0x80, 0x80, 0x80, 0x00, 0x85, 0x80, 0x80, 0x80, 0x80, 0x00])]);
    let m = Module::parse_with_features(&table, Features::wasm3()).expect("well-formed in 3.0");
    assert_eq!((m.tables[0].limits.min, m.tables[0].limits.max), (3, Some(5)));
    assert_eq!(parse_err(&table, Features::wasm2()), ErrorKind::IntegerTooLong);
}

/// The bottom heap types `nofunc` (0x73) and `noextern` (0x72) belong to GC: typed function
/// references alone name only `func`, `extern` and type indices, and wasmparser refuses them
/// without GC. The fuzzer's `validate` target found wisp accepting a `nullexternref` table with
/// GC off (2026-12-06).
#[test]
fn the_bottom_heap_types_need_gc() {
    let no_gc = Features { gc: false, ..Features::wasm3() };
    for bottom in [0x72u8, 0x73] {
        // Table section: one table of `(ref null <bottom>)` (the one-byte shorthand), minimum 1.
        let table = module(&[(4, &[1, bottom, 0x00, 0x01])]);
        Module::parse_with_features(&table, Features::wasm3()).expect("well-formed with GC");
        assert_eq!(parse_err(&table, no_gc), ErrorKind::MalformedRefType, "heap type {bottom:#x}");
        // The same as a function's result type: `(ref null <bottom>)` written out with 0x63.
        let ty = module(&[(1, &[1, 0x60, 0x00, 0x01, 0x63, bottom])]);
        Module::parse_with_features(&ty, Features::wasm3()).expect("well-formed with GC");
        assert_eq!(parse_err(&ty, no_gc), ErrorKind::MalformedValType, "heap type {bottom:#x}");
    }
}

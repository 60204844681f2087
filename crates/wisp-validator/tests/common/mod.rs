//! Helpers shared by the validator's tests: text modules through `wast`, and hand-built
//! binaries for shapes the text format makes awkward (deep nesting, huge tables).

#![allow(dead_code)]

use wisp_validator::{validate_bytes, Features, ModuleInfo};

/// Encodes a module written in the text format.
pub fn wat(text: &str) -> Vec<u8> {
    let buf = wast::parser::ParseBuffer::new(text).unwrap_or_else(|e| panic!("lex: {e}\n{text}"));
    let mut m: wast::Wat = wast::parser::parse(&buf).unwrap_or_else(|e| panic!("parse: {e}\n{text}"));
    m.encode().unwrap_or_else(|e| panic!("encode: {e}\n{text}"))
}

#[track_caller]
pub fn valid_with(text: &str, features: Features) -> ModuleInfo {
    match validate_bytes(&wat(text), features) {
        Ok(info) => info,
        Err(e) => panic!("expected valid, got \"{e}\"\n{text}"),
    }
}

#[track_caller]
pub fn valid(text: &str) -> ModuleInfo {
    valid_with(text, Features::wasm2())
}

#[track_caller]
pub fn invalid_with(text: &str, features: Features, message: &str) {
    match validate_bytes(&wat(text), features) {
        Ok(_) => panic!("expected \"{message}\", but the module validated\n{text}"),
        Err(e) => assert!(e.message().starts_with(message), "expected \"{message}\", got \"{}\"\n{text}", e.message()),
    }
}

#[track_caller]
pub fn invalid(text: &str, message: &str) {
    invalid_with(text, Features::wasm2(), message)
}

/// A function body in a module: `(func (type 0))` where type 0 is `params -> results`.
#[track_caller]
pub fn body_valid(sig: &str, body: &str) {
    valid(&format!("(module (func {sig} {body}))"));
}

#[track_caller]
pub fn body_invalid(sig: &str, body: &str, message: &str) {
    invalid(&format!("(module (func {sig} {body}))"), message);
}

fn leb(v: u64, out: &mut Vec<u8>) {
    leb128::write::unsigned(out, v).expect("writing to a vector");
}

fn section(id: u8, content: &[u8], out: &mut Vec<u8>) {
    out.push(id);
    leb(content.len() as u64, out);
    out.extend_from_slice(content);
}

/// A module with one function of type `params -> results` (value type bytes) and the given
/// body instructions (locals: none; the final `end` must be in `code`).
pub fn module_with_body(params: &[u8], results: &[u8], code: &[u8]) -> Vec<u8> {
    let mut m = b"\0asm\x01\0\0\0".to_vec();
    let mut types = vec![1, 0x60];
    leb(params.len() as u64, &mut types);
    types.extend_from_slice(params);
    leb(results.len() as u64, &mut types);
    types.extend_from_slice(results);
    section(1, &types, &mut m);
    section(3, &[1, 0], &mut m);
    let mut body = vec![0]; // no locals
    body.extend_from_slice(code);
    let mut codes = vec![1];
    leb(body.len() as u64, &mut codes);
    codes.extend_from_slice(&body);
    section(10, &codes, &mut m);
    m
}

/// Appends a LEB128 unsigned integer (for hand-built bodies).
pub fn push_leb(v: u64, out: &mut Vec<u8>) {
    leb(v, out)
}

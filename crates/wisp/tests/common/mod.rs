//! Helpers the tests of executed proposals share: text to binary, an engine per dispatch
//! backend, an instance of a text module, a trap's code.
#![allow(dead_code)]

use wisp::{Config, Dispatch, Engine, Error, Instance, Linker, Module, Store, TrapCode};

pub fn wat(src: &str) -> Vec<u8> {
    let buf = wast::parser::ParseBuffer::new(src).expect("lex");
    let mut w: wast::Wat = wast::parser::parse(&buf).expect("parse");
    w.encode().expect("encode")
}

/// An engine per dispatch backend, `tune` applied to its configuration.
pub fn engines(tune: impl Fn(&mut Config)) -> Vec<(Dispatch, Engine)> {
    [Dispatch::Portable, Dispatch::Threaded]
        .into_iter()
        .map(|d| {
            let mut config = Config::new();
            config.dispatch(d);
            tune(&mut config);
            (d, Engine::new(&config))
        })
        .collect()
}

pub fn instantiate(engine: &Engine, src: &str) -> (Store<()>, Instance) {
    let module = Module::new(engine, wat(src)).expect("compiles");
    let mut store = Store::new(engine, ());
    let inst = Linker::new(engine).instantiate(&mut store, &module).expect("instantiates");
    (store, inst)
}

pub fn trap_code(e: &Error) -> Option<TrapCode> {
    e.as_trap().map(|t| t.code())
}

/// A module whose function 0 runs SIMD form `f` (`wisp::isa::SimdFormInfo`) on its parameters,
/// with its parameter and result types. Memory forms take an address and (but loads) a
/// `v128`, and return the `v128` at the address after the access. A form of another memory
/// row than memory 0's 32-bit one accesses memory 1 (32- or 64-bit, its address type the
/// memory's), and function 1 (`plain`) does the same on memory 0 with the address wrapped to
/// 32 bits: the reference its results are compared with. On memory 0's row each operand has
/// the form's kind (`f.kinds`; all `S` for the stack form): `S` computed onto the stack, `L`
/// the parameter itself, `A` the parameter plus 5; a form whose result goes into a local
/// (`f.dst` `L`) is followed by a `local.set` and a `local.get` of a `v128` local.
pub fn simd_module(f: &wisp::isa::SimdFormInfo) -> (String, Vec<&'static str>, &'static str) {
    let sig: Vec<&'static str> = f.sig.split(' ').collect();
    let op = f.op;
    let (addr, mem) = match f.memory_row {
        "" => ("i32", ""),
        "Mem" => ("i32", " 1"),
        _ => ("i64", " 1"),
    };
    let kinds: Vec<char> = f.kinds.chars().collect();
    // Operand `i` (parameter `i`, of type `ty`) as kind `k`, where `below` says whether an
    // operand that is not on the stack lies below it (a block's start would push that one, so
    // `S` is then an add of zero).
    let operand = |i: usize, ty: &str, below: bool| -> String {
        match (kinds.get(i).copied().unwrap_or('S'), ty) {
            ('L', _) => format!("local.get {i}"),
            ('A', _) => format!("local.get {i} i32.const 5 i32.add"),
            (_, "v128") if below => format!("local.get {i} v128.const i64x2 0 0 i8x16.add"),
            (_, "i32") if below => format!("local.get {i} i32.const 0 i32.add"),
            (_, ty) if f.memory_row.is_empty() => format!("block (result {ty}) local.get {i} end"),
            _ => format!("local.get {i}"),
        }
    };
    let below = |i: usize| kinds.iter().take(i).any(|&k| k != 'S');
    let access = |mem: &str| -> (Vec<&'static str>, &'static str, String) {
        let after = format!("local.get 0 v128.load{mem} offset=3");
        let (a, v) = (operand(0, addr, false), operand(1, "v128", below(1)));
        match sig[0] {
            "load" => (vec![addr], "v128", format!("{a} {op}{mem} offset=3")),
            "store" => (vec![addr, "v128"], "v128", format!("{a} {v} {op}{mem} offset=3 {after}")),
            "load_lane" => (vec![addr, "v128"], "v128", format!("local.get 0 local.get 1 {op}{mem} offset=3 1")),
            "store_lane" => {
                (vec![addr, "v128"], "v128", format!("local.get 0 local.get 1 {op}{mem} offset=3 1 {after}"))
            }
            "shuffle" => (
                vec!["v128", "v128"],
                "v128",
                format!("local.get 0 local.get 1 {op} 0 17 2 19 4 21 6 23 31 30 29 28 3 3 16 0"),
            ),
            _ => {
                let lane = sig[0] == "lane";
                let sig = if lane { &sig[3..] } else { &sig[..] };
                let arrow = sig.iter().position(|s| *s == "->").expect("a signature");
                let gets: String = (0..arrow).map(|i| format!("{} ", operand(i, sig[i], below(i)))).collect();
                (sig[..arrow].to_vec(), sig[arrow + 1], format!("{gets}{op}{}", if lane { " 1" } else { "" }))
            }
        }
    };
    let (params, result, body) = access(mem);
    let body = if f.dst == "L" { format!("{body} local.set $r local.get $r") } else { body };
    let decl: String = params.iter().map(|p| format!("(param {p}) ")).collect();
    let f0 = format!("(func (export \"f\") {decl}(result {result}) (local $r v128) {body})");
    let wat = match f.memory_row {
        "" => format!("(module (memory (export \"memory\") 1) {f0})"),
        row => {
            let width = if row == "Mem64" { "i64 " } else { "" };
            // The reference: memory 0, its address the low 32 bits of the same one.
            let (_, _, plain) = access("");
            let plain = if row == "Mem64" { plain.replace("local.get 0", "local.get 0 i32.wrap_i64") } else { plain };
            format!(
                "(module (memory (export \"memory\") 1) (memory (export \"memory1\") {width}1) {f0} \
                 (func (export \"plain\") {decl}(result {result}) {plain}))"
            )
        }
    };
    (wat, params, result)
}

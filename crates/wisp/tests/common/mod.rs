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
/// 32 bits: the reference its results are compared with.
pub fn simd_module(f: &wisp::isa::SimdFormInfo) -> (String, Vec<&'static str>, &'static str) {
    let sig: Vec<&'static str> = f.sig.split(' ').collect();
    let op = f.op;
    let (addr, mem) = match f.memory_row {
        "" => ("i32", ""),
        "Mem" => ("i32", " 1"),
        _ => ("i64", " 1"),
    };
    let access = |mem: &str| -> (Vec<&'static str>, &'static str, String) {
        let after = format!("local.get 0 v128.load{mem} offset=3");
        match sig[0] {
            "load" => (vec![addr], "v128", format!("local.get 0 {op}{mem} offset=3")),
            "store" => (vec![addr, "v128"], "v128", format!("local.get 0 local.get 1 {op}{mem} offset=3 {after}")),
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
                let gets: String = (0..arrow).map(|i| format!("local.get {i} ")).collect();
                (sig[..arrow].to_vec(), sig[arrow + 1], format!("{gets}{op}{}", if lane { " 1" } else { "" }))
            }
        }
    };
    let (params, result, body) = access(mem);
    let decl: String = params.iter().map(|p| format!("(param {p}) ")).collect();
    let f0 = format!("(func (export \"f\") {decl}(result {result}) {body})");
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

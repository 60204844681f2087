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

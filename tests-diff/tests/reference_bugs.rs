//! Modules where wasmi 2.0.0 (the reference) is wrong, found by the long differential run
//! (see RATIONALE.md): wisp must keep giving the spec's answers, which V8 (node 20) also gives.

use wisp::{Engine, Linker, Module, Store, Val};

fn instantiate(text: &str) -> (Store<()>, wisp::Instance) {
    let buf = wast::parser::ParseBuffer::new(text).expect("lexes");
    let bytes = wast::parser::parse::<wast::Wat>(&buf).expect("parses").encode().expect("encodes");
    let engine = Engine::default();
    let module = Module::new(&engine, bytes).expect("valid");
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine).instantiate(&mut store, &module).expect("instantiates");
    (store, instance)
}

/// wasmi returns the constant operand whatever the `i32.eqz` condition is (seed 45066).
#[test]
fn select_on_eqz_with_a_constant_operand() {
    let (mut store, i) = instantiate(
        r#"(module (func (export "f") (param i64 i32) (result i64)
             (select (i64.const 3) (local.get 0) (i32.eqz (local.get 1)))))"#,
    );
    let f = i.get_typed_func::<(i64, i32), i64>(&store, "f").unwrap();
    assert_eq!(f.call(&mut store, (5, 1)).unwrap(), 5);
    assert_eq!(f.call(&mut store, (5, i32::MIN)).unwrap(), 5);
    assert_eq!(f.call(&mut store, (5, 0)).unwrap(), 3);
}

/// wasmi stores 0 where the parameter's bits belong (seed 36959, reduced).
#[test]
fn value_from_before_a_multi_value_if_after_its_else_arm() {
    let (mut store, i) = instantiate(include_str!("data/wasmi-if-param-else.wat"));
    let f = i.get_func(&store, "3").unwrap();
    let g = i.get_global(&store, "13").unwrap();
    for x in [-0.0f64, 1.0] {
        let mut out = [Val::I64(0), Val::F64(0)];
        f.call(&mut store, &[Val::from(x)], &mut out).unwrap();
        assert_eq!(g.get(&store).unwrap(), Val::I64(x.to_bits() as i64));
    }
}

//! Typed function references through the host API: functions with `(ref $t)` parameters and
//! results called with `Val::FuncRef`, typed views of them, host functions reached by
//! `call_ref` and imported at a `(ref $t)` signature, tables of `(ref $t)` filled by their
//! initializer expression, and type identity across modules (equivalent recursion groups are
//! one type; different ones are not).

use wisp::{Config, Engine, Error, Func, FuncType, Instance, Linker, Module, Store, TrapCode, Val, ValType};

fn wat(src: &str) -> Vec<u8> {
    let buf = wast::parser::ParseBuffer::new(src).expect("lex");
    let mut w: wast::Wat = wast::parser::parse(&buf).expect("parse");
    w.encode().expect("encode")
}

fn engine() -> Engine {
    let mut config = Config::new();
    config.wasm_function_references(true);
    Engine::new(&config)
}

const SRC: &str = r#"(module
  (type $t (func (param i32) (result i32)))
  (func $double (export "double") (type $t) (i32.mul (local.get 0) (i32.const 2)))
  (elem declare func $double)
  (func (export "get") (result (ref $t)) (ref.func $double))
  (func (export "apply") (param $f (ref $t)) (param i32) (result i32) (call_ref $t (local.get 1) (local.get $f)))
  (func (export "apply_null") (param $f (ref null $t)) (param i32) (result i32)
    (call_ref $t (local.get 1) (local.get $f)))
  (table $tab 2 (ref $t) (ref.func $double))
  (func (export "from_table") (param i32 i32) (result i32) (call_ref $t (local.get 1) (table.get $tab (local.get 0)))))"#;

/// `SRC` instantiated in a new store of an engine with typed function references on.
fn instantiate_src() -> (Engine, Store<()>, Instance) {
    let engine = engine();
    let module = Module::new(&engine, wat(SRC)).unwrap();
    let mut store = Store::new(&engine, ());
    let inst = Linker::new(&engine).instantiate(&mut store, &module).unwrap();
    (engine, store, inst)
}

#[test]
fn references_of_a_defined_type_cross_the_host_api() {
    let (_engine, mut store, inst) = instantiate_src();
    let double = inst.get_func(&store, "double").unwrap();

    // A `(ref $t)` result: a non-null `Val::FuncRef`, also through a typed view (`(ref $t)` is a
    // `funcref`).
    let get = inst.get_func(&store, "get").unwrap();
    let mut out = [Val::I32(0)];
    get.call(&mut store, &[], &mut out).unwrap();
    assert_eq!(out[0], Val::FuncRef(Some(double)));
    let typed = get.typed::<(), Option<Func>>(&store).unwrap();
    assert_eq!(typed.call(&mut store, ()).unwrap(), Some(double));

    // A `(ref $t)` parameter takes a function of type `$t`, not null and not another type.
    let apply = inst.get_func(&store, "apply").unwrap();
    apply.call(&mut store, &[Val::FuncRef(Some(double)), Val::I32(7)], &mut out).unwrap();
    assert_eq!(out[0], Val::I32(14));
    let err = apply.call(&mut store, &[Val::FuncRef(None), Val::I32(7)], &mut out).unwrap_err();
    assert!(matches!(err, Error::Signature(_)), "{err}");
    let other = Func::wrap(&mut store, |x: i64| x);
    let err = apply.call(&mut store, &[Val::FuncRef(Some(other)), Val::I32(7)], &mut out).unwrap_err();
    assert!(matches!(err, Error::Signature(_)), "{err}");
    // A typed view whose parameter is any `funcref` does not fit a `(ref $t)` parameter.
    assert!(apply.typed::<(Option<Func>, i32), i32>(&store).is_err());

    // A host function of type `$t` (the same type: a plain function type is a group of one),
    // given to `call_ref`.
    let host = Func::wrap(&mut store, |x: i32| x + 100);
    apply.call(&mut store, &[Val::FuncRef(Some(host)), Val::I32(1)], &mut out).unwrap();
    assert_eq!(out[0], Val::I32(101));

    // A null reference given to `call_ref` traps with the spec's message.
    let apply_null = inst.get_func(&store, "apply_null").unwrap();
    let err = apply_null.call(&mut store, &[Val::FuncRef(None), Val::I32(1)], &mut out).unwrap_err();
    assert_eq!(err.as_trap().map(|t| t.code()), Some(TrapCode::NullFunctionReference), "{err}");

    // Both elements of the table are its initializer's.
    let from_table = inst.get_typed_func::<(i32, i32), i32>(&store, "from_table").unwrap();
    assert_eq!(from_table.call(&mut store, (0, 4)).unwrap(), 8);
    assert_eq!(from_table.call(&mut store, (1, 5)).unwrap(), 10);
}

/// A host function whose parameter is `(ref $t)`, its type named as the store names it (from a
/// Wasm function's signature), imported where a module declares the same signature with its
/// own `$t`, and called from Wasm with a reference.
#[test]
fn a_host_function_with_a_typed_reference_parameter_is_imported() {
    let (engine, mut store, inst) = instantiate_src();
    let ref_t = inst.get_func(&store, "get").unwrap().ty(&store).unwrap().results()[0];
    assert!(matches!(ref_t, ValType::Ref(r) if !r.nullable()), "{ref_t}");
    let ty = FuncType::new([ref_t, ValType::I32], [ValType::I32]);
    let call_it = Func::new(&mut store, ty, |mut caller, params, results| {
        let Val::FuncRef(Some(f)) = params[0] else { panic!("a null (ref $t)") };
        f.call(&mut caller, &params[1..], results)
    });
    const USER: &str = r#"(module
  (type $u (func (param i32) (result i32)))
  (import "env" "call_it" (func $call_it (param (ref $u)) (param i32) (result i32)))
  (import "m" "double" (func $double (type $u)))
  (elem declare func $double)
  (func (export "run") (param i32) (result i32) (call $call_it (ref.func $double) (local.get 0))))"#;
    let mut linker = Linker::new(&engine);
    linker.define("env", "call_it", call_it).unwrap();
    linker.instance(&store, "m", inst).unwrap();
    let user = linker.instantiate(&mut store, &Module::new(&engine, wat(USER)).unwrap()).unwrap();
    let run = user.get_typed_func::<i32, i32>(&store, "run").unwrap();
    assert_eq!(run.call(&mut store, 21).unwrap(), 42);
}

/// Imports match by type identity across modules: a recursion group spelled the same in two
/// modules is one type, a function type inside a larger group is not the plain one.
#[test]
fn function_types_of_equivalent_groups_link_and_others_do_not() {
    // Recursion groups are decoded with gc's type section (all of 3.0's features on); groups of
    // function types execute.
    let mut config = Config::new();
    config.features(wisp::Features::wasm3());
    let engine = Engine::new(&config);
    let mut store = Store::new(&engine, ());
    const A: &str = r#"(module
  (rec (type $f (func (param (ref null $g)))) (type $g (func (param (ref null $f)))))
  (func (export "f") (type $f))
  (func (export "plain") (param i32)))"#;
    let a = Linker::new(&engine).instantiate(&mut store, &Module::new(&engine, wat(A)).unwrap()).unwrap();
    let mut linker = Linker::new(&engine);
    linker.instance(&store, "a", a).unwrap();
    let same = r#"(module
  (rec (type $f (func (param (ref null $g)))) (type $g (func (param (ref null $f)))))
  (import "a" "f" (func (type $f))))"#;
    assert!(linker.instantiate(&mut store, &Module::new(&engine, wat(same)).unwrap()).is_ok());
    for other in [
        // The group's other type.
        r#"(module
  (rec (type $f (func (param (ref null $g)))) (type $g (func (param (ref null $f)))))
  (import "a" "f" (func (type $g))))"#,
        // A plain function type against one in a group of two.
        r#"(module
  (rec (type $p (func (param i32))) (type (func)))
  (import "a" "plain" (func (type $p))))"#,
    ] {
        let err = linker.instantiate(&mut store, &Module::new(&engine, wat(other)).unwrap()).unwrap_err();
        assert!(matches!(err, Error::Link(_)), "{err}");
    }
}

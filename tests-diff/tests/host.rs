//! The harness's own pieces, on hand-written modules: function identities across engines,
//! and the host functions (mixing, re-entering, trapping) behaving alike on both.

use wisp_difftest::host::{behaviour, Behaviour, ExternTy, Import};
use wisp_difftest::wasmi_side::WasmiSide;
use wisp_difftest::wisp_side::WispSide;
use wisp_difftest::{compare, on_big_stack, Outcome, Side, Ty, FUEL_EXPORT, V};

fn wat(text: &str) -> Vec<u8> {
    let buf = wast::parser::ParseBuffer::new(text).expect("lexes");
    let mut module = wast::parser::parse::<wast::Wat>(&buf).expect("parses");
    module.encode().expect("encodes")
}

/// The module on wasmi and on wisp's portable backend.
fn sides(bytes: &[u8]) -> Vec<Box<dyn Side>> {
    let compiled = WasmiSide::module(bytes).unwrap_or_else(|_| panic!("wasmi compiles it"));
    let plan = compiled.plan();
    let wasmi = WasmiSide::instantiate(&compiled, &plan).expect("wasmi instantiates it");
    let wisp = WispSide::instantiate(bytes, wisp::Dispatch::Portable, &plan).expect("wisp instantiates it");
    vec![Box::new(wasmi), Box::new(wisp)]
}

const FUNCREFS: &str = r#"
(module
  (func $f (export "f") (result i32) i32.const 1)
  (func $g (export "g") (result i32) i32.const 2)
  (table (export "t") 4 funcref)
  (elem (i32.const 0) func $f $g $f)
  (global (export "r") (mut funcref) (ref.func $g))
  (global (export "wisp-difftest-fuel") (mut i32) (i32.const 0))
  (func (export "get") (param i32) (result funcref) (table.get 0 (local.get 0)))
  (func (export "swap") (table.set 0 (i32.const 0) (ref.func $g)) (global.set 0 (ref.func $f))))
"#;

#[test]
fn funcrefs_are_compared_by_identity() {
    // Known functions, in export order: f 0, g 1, get 2, swap 3.
    let (f, g) = (V::FuncRef(Some(0)), V::FuncRef(Some(1)));
    for mut s in sides(&wat(FUNCREFS)) {
        assert_eq!(s.host().known_funcs, 4, "{}", s.name());
        assert_eq!(s.table("t"), [f, g, f, V::FuncRef(None)], "{}", s.name());
        assert_eq!(s.global("r"), g, "{}", s.name());
        assert_eq!(s.call("get", &[V::I32(1)]), Outcome::Ok(vec![g]), "{}", s.name());
        assert_eq!(s.call("get", &[V::I32(2)]), Outcome::Ok(vec![f]), "{}", s.name());
        assert_eq!(s.call("swap", &[]), Outcome::Ok(vec![]), "{}", s.name());
        assert_eq!(s.table("t"), [g, g, f, V::FuncRef(None)], "{}", s.name());
        assert_eq!(s.global("r"), f, "{}", s.name());
    }
}

#[test]
fn funcref_arguments_and_externrefs_keep_their_identity() {
    let text = r#"
    (module
      (func $f (export "f"))
      (table (export "t") 2 funcref)
      (table (export "x") 2 externref)
      (global (export "wisp-difftest-fuel") (mut i32) (i32.const 0))
      (func (export "put") (param funcref externref)
        (table.set 0 (i32.const 1) (local.get 0))
        (table.set 1 (i32.const 0) (local.get 1))))
    "#;
    // Known functions: f 0, put 1.
    for mut s in sides(&wat(text)) {
        assert_eq!(s.call("put", &[V::FuncRef(Some(1)), V::ExternRef(Some(7))]), Outcome::Ok(vec![]));
        assert_eq!(s.table("t"), [V::FuncRef(None), V::FuncRef(Some(1))], "{}", s.name());
        assert_eq!(s.table("x"), [V::ExternRef(Some(7)), V::ExternRef(None)], "{}", s.name());
    }
}

/// An import name that gets behaviour `b` as import `index` of a function type.
fn name_for(b: Behaviour, index: usize) -> String {
    (0..)
        .map(|i| format!("h{i}"))
        .find(|n| {
            let import = Import { module: "env".into(), name: n.clone(), ty: ExternTy::Func(vec![], vec![]) };
            behaviour(index, &import) == b
        })
        .expect("some name")
}

/// A module importing one host function of each behaviour (modules `a`, `b`, `c`: the
/// imports' indices 0, 1, 2 once sorted).
fn host_module() -> String {
    let (mix, reenter, trap) =
        (name_for(Behaviour::Mix, 0), name_for(Behaviour::Reenter, 1), name_for(Behaviour::Trap, 2));
    format!(
        r#"
    (module
      (import "a" "{mix}" (func $mix (param i32 f64) (result i64 funcref)))
      (import "b" "{reenter}" (func $reenter (param i32) (result i32)))
      (import "c" "{trap}" (func $trap (param i32) (result f32)))
      (memory (export "m") 1)
      (global (export "g") (mut i64) (i64.const 5))
      (global (export "{FUEL_EXPORT}") (mut i32) (i32.const 0))
      (func (export "mix") (param i32) (result i64)
        (call $mix (local.get 0) (f64.const 1.5)) drop)
      (func (export "reenter") (param i32) (result i32)
        (local $i i32) (local $acc i32)
        (loop $l
          (local.set $acc (i32.add (local.get $acc) (call $reenter (local.get $i))))
          (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 20))))
        (local.get $acc))
      (func (export "store") (param i32) (i64.store (i32.const 8) (i64.extend_i32_u (local.get 0))))
      (func (export "trap") (param i32) (result f32)
        (local $i i32)
        (loop $l
          (drop (call $trap (i32.add (local.get 0) (local.get $i))))
          (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 64))))
        (f32.const 0)))
    "#
    )
}

#[test]
fn host_functions_behave_alike_on_both_engines() {
    on_big_stack(|| {
        let bytes = wat(&host_module());
        let mut sides = sides(&bytes);
        let mut outcomes = Vec::new();
        for s in sides.iter_mut() {
            let mut o = Vec::new();
            for (name, arg) in [("mix", 3), ("reenter", 0), ("store", 9), ("trap", 1), ("mix", 4)] {
                s.set_global(FUEL_EXPORT, V::I32(10_000));
                o.push(s.call(name, &[V::I32(arg)]));
            }
            outcomes.push((o, s.host().clone(), s.memory("m").to_vec(), s.global("g")));
        }
        let (o, host, _, _) = &outcomes[0];
        assert_eq!(outcomes[0], outcomes[1], "wasmi and wisp differ");
        assert!(matches!(o[0], Outcome::Ok(_)), "{o:?}");
        assert!(matches!(o[3], Outcome::HostTrap(_)), "one of 64 calls fails: {o:?}");
        assert!(o[0] != o[4], "results depend on the host call count: {o:?}");
        assert!(host.reentries > 0 && host.traps >= 1, "{host:?}");
    })
}

#[test]
fn compare_runs_host_functions() {
    let bytes = wat(&host_module());
    let stats = on_big_stack(|| compare(&bytes, 1)).expect("no divergence");
    assert!(stats.imports && stats.host_calls > 20 && stats.reentries > 0, "{stats:?}");
}

#[test]
fn value_types_match_the_import_types() {
    // Every result a host function returns has its declared type (wasmi does not check).
    let mut rng = wisp_difftest::Rng(5);
    for ty in [Ty::I32, Ty::I64, Ty::F32, Ty::F64, Ty::FuncRef, Ty::ExternRef] {
        for _ in 0..100 {
            let v = wisp_difftest::host::value(&mut rng, ty, 3);
            let ok = matches!(
                (ty, v),
                (Ty::I32, V::I32(_))
                    | (Ty::I64, V::I64(_))
                    | (Ty::F32, V::F32(_))
                    | (Ty::F64, V::F64(_))
                    | (Ty::FuncRef, V::FuncRef(None | Some(0..=2)))
                    | (Ty::ExternRef, V::ExternRef(_))
            );
            assert!(ok, "{ty:?} {v:?}");
        }
    }
}

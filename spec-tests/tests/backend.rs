//! The runner's execution path, driven through a scripted fake backend: what an engine sees
//! and how its answers are judged, before any engine exists.

use wisp_decoder::Features;
use wisp_spec_tests::{run_wast, Backend, BackendError, NoExecution, Value};

/// Answers from a table and records every call.
#[derive(Default)]
struct Fake {
    calls: Vec<String>,
}

impl Backend for Fake {
    fn instantiate(&mut self, bytes: &[u8], name: Option<&str>) -> Result<(), BackendError> {
        self.calls.push(format!("instantiate {} bytes as {name:?}", bytes.len()));
        // A module importing anything is "unlinkable" here; `start` means a trapping start.
        if bytes.windows(7).any(|w| w == b"missing") {
            return Err(BackendError::Link("unknown import".into()));
        }
        if bytes.contains(&8) && bytes.windows(4).any(|w| w == b"boom") {
            return Err(BackendError::Trap("unreachable".into()));
        }
        Ok(())
    }

    fn register(&mut self, as_name: &str, instance: Option<&str>) -> Result<(), BackendError> {
        self.calls.push(format!("register {as_name} {instance:?}"));
        Ok(())
    }

    fn invoke(&mut self, instance: Option<&str>, func: &str, args: &[Value]) -> Result<Vec<Value>, BackendError> {
        self.calls.push(format!("invoke {instance:?} {func} {args:?}"));
        match func {
            "add" => match args {
                [Value::I32(a), Value::I32(b)] => Ok(vec![Value::I32(a.wrapping_add(*b))]),
                _ => Err(BackendError::Other("bad args".into())),
            },
            "nan" => Ok(vec![Value::F32(0x7fc0_0000)]),
            "null" => Ok(vec![Value::ExternRef(None)]),
            "div0" => Err(BackendError::Trap("integer divide by zero".into())),
            "loop" => Err(BackendError::Exhausted("call stack exhausted".into())),
            "simd" => Err(BackendError::Unsupported),
            _ => Err(BackendError::Other(format!("no export {func}"))),
        }
    }

    fn get(&mut self, _instance: Option<&str>, global: &str) -> Result<Value, BackendError> {
        match global {
            "g" => Ok(Value::I64(-1)),
            _ => Err(BackendError::Other(format!("no global {global}"))),
        }
    }
}

const SCRIPT: &str = r#"
(module $M (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))
(register "m" $M)
(assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 3))
(assert_return (invoke $M "add" (i32.const -1) (i32.const 1)) (i32.const 0))
(assert_return (invoke "nan") (f32.const nan:canonical))
(assert_return (invoke "nan") (f32.const nan:arithmetic))
(assert_return (invoke "null") (ref.null extern))
(assert_return (get "g") (i64.const -1))
(assert_trap (invoke "div0") "integer divide by zero")
(assert_exhaustion (invoke "loop") "call stack exhausted")
(assert_return (invoke "simd"))
(assert_unlinkable (module (import "missing" "f" (func))) "unknown import")
(assert_trap (module (func $boom unreachable) (start $boom)) "unreachable")
(invoke "add" (i32.const 0) (i32.const 0))
(module definition $D (func))
(module instance $I $D)
"#;

#[test]
fn a_backend_sees_every_execution_directive() {
    let mut fake = Fake::default();
    let r = run_wast("fake.wast", SCRIPT, Features::wasm2(), &mut fake);
    assert!(r.failures.is_empty(), "{:#?}", r.failures);
    // 16 directives; `assert_return (invoke "simd")` is unsupported, so skipped.
    assert_eq!((r.passed, r.failed, r.skipped), (15, 0, 1));
    assert!(
        fake.calls[0].starts_with("instantiate ") && fake.calls[0].ends_with("as Some(\"M\")"),
        "{}",
        fake.calls[0]
    );
    assert_eq!(fake.calls[1], "register m Some(\"M\")");
    assert!(fake.calls.iter().any(|c| c == "invoke Some(\"M\") add [I32(-1), I32(1)]"));
    assert!(fake.calls.last().unwrap().ends_with("as Some(\"I\")"));
}

#[test]
fn wrong_answers_fail() {
    let script = r#"
        (module (func (export "add") (param i32 i32) (result i32) (i32.const 0)))
        (assert_return (invoke "add" (i32.const 1) (i32.const 2)) (i32.const 4))
        (assert_return (invoke "nan") (f32.const 0))
        (assert_trap (invoke "add" (i32.const 1) (i32.const 2)) "integer overflow")
        (assert_return (invoke "div0") (i32.const 0))
    "#;
    let r = run_wast("wrong.wast", script, Features::wasm2(), &mut Fake::default());
    assert_eq!((r.passed, r.failed, r.skipped), (1, 4, 0), "{:#?}", r.failures);
}

#[test]
fn without_a_backend_execution_is_skipped() {
    let r = run_wast("fake.wast", SCRIPT, Features::wasm2(), &mut NoExecution);
    // The module definitions are still decoded and validated: 3 modules, 1 unlinkable and
    // 1 uninstantiable module are validated but their instantiation skipped.
    assert_eq!(r.failed, 0, "{:#?}", r.failures);
    assert_eq!(r.passed, 2);
    assert_eq!(r.skipped, 14);
}

#[test]
fn rejections_are_checked_and_messages_tallied() {
    let script = r#"
        (assert_malformed (module binary "\00asm\01\00\00") "unexpected end")
        (assert_malformed (module quote "(func (i32.const nope))") "unknown operator")
        (assert_invalid (module (func (result i32))) "type mismatch")
        (assert_malformed (module binary "\00asm\01\00\00\00") "accepted, so this fails")
    "#;
    let r = run_wast("reject.wast", script, Features::wasm2(), &mut NoExecution);
    assert_eq!((r.passed, r.failed), (3, 1));
    assert_eq!(r.rejected_by_text_parser, 1);
    assert_eq!(r.rejections, 2);
    assert_eq!(r.messages_matched, 2, "{:?}", r.message_mismatches);
}

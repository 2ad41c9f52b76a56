//! Typed function references through the Rust embedding: a reference one export returns is
//! called by another through `call_ref`, a null one gives the spec's trap, and a null given for
//! a non-null parameter is refused before compiled code runs (it checks no null there:
//! validation proved none can arrive from Wasm).

use wasm2native::runtime::{CallError, Instance, LoadedModule, Value};
use wasm2native::{compile, link, Emit, OptLevel, Options};

const MODULE: &str = r#"(module
  (type $unary (func (param i32) (result i32)))
  (func $double (type $unary) (i32.mul (local.get 0) (i32.const 2)))
  (elem declare func $double)
  (func (export "get") (result (ref $unary)) (ref.func $double))
  (func (export "get_null") (result (ref null $unary)) (ref.null $unary))
  (func (export "call_nullable") (param (ref null $unary)) (param i32) (result i32)
    (call_ref $unary (local.get 1) (local.get 0)))
  (func (export "call_non_null") (param (ref $unary)) (param i32) (result i32)
    (call_ref $unary (local.get 1) (local.get 0))))"#;

fn load(dir: &std::path::Path, level: OptLevel) -> LoadedModule {
    let options = Options { opt_level: level, ..Options::default() };
    let object = compile(MODULE.as_bytes(), &options, Emit::Object).unwrap();
    let path = dir.join(format!("typed_refs{level:?}.so"));
    link::link_shared_module(&object, &path).unwrap();
    LoadedModule::load(&path).unwrap()
}

#[test]
fn typed_references_cross_the_embedding_and_non_null_parameters_refuse_null() {
    let dir = tempfile::tempdir().unwrap();
    for level in [OptLevel::O0, OptLevel::O2] {
        let module = load(dir.path(), level);
        let instance = Instance::instantiate(&module, &mut |_, _, _| None).unwrap();
        let double = match instance.call("get", &[]).unwrap().as_slice() {
            [reference @ Value::FuncRef(Some(_))] => *reference,
            other => panic!("get returned {other:?} at {level:?}"),
        };
        for export in ["call_nullable", "call_non_null"] {
            let result = instance.call(export, &[double, Value::I32(21)]).unwrap();
            assert_eq!(result, [Value::I32(42)], "{export} at {level:?}");
        }
        let null = instance.call("get_null", &[]).unwrap();
        assert_eq!(null, [Value::FuncRef(None)], "at {level:?}");
        match instance.call("call_nullable", &[Value::FuncRef(None), Value::I32(1)]) {
            Err(CallError::Trap(trap)) => {
                assert_eq!(trap.message, "null function reference", "at {level:?}")
            }
            other => panic!("a null call_ref gave {other:?} at {level:?}"),
        }
        match instance.call("call_non_null", &[Value::FuncRef(None), Value::I32(1)]) {
            Err(CallError::Signature(message)) => assert_eq!(
                message, "parameter 0 is a non-null reference, given null",
                "at {level:?}"
            ),
            other => panic!("a null for a non-null parameter gave {other:?} at {level:?}"),
        }
        // The instance goes on after both.
        let result = instance.call("call_non_null", &[double, Value::I32(5)]).unwrap();
        assert_eq!(result, [Value::I32(10)], "at {level:?}");
    }
}

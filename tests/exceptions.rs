//! Exception handling through the Rust embedding. Tags so far: an instance's tag is its own
//! object, an import is the exporter's object itself (re-exported, still the same tag), and an
//! import of another payload type does not link.

use wasm2native::runtime::{Extern, Instance, InstantiationError, LoadedModule, Tag};
use wasm2native::{compile, link, Emit, Options};

fn load(dir: &std::path::Path, text: &str, name: &str) -> LoadedModule {
    let object = compile(text.as_bytes(), &Options::default(), Emit::Object).unwrap();
    let path = dir.join(format!("{name}.so"));
    link::link_shared_module(&object, &path).unwrap();
    LoadedModule::load(&path).unwrap()
}

fn tag(instance: &Instance, name: &str) -> Tag {
    match instance.export(name) {
        Some(Extern::Tag(tag)) => tag,
        _ => panic!("no tag export {name:?}"),
    }
}

#[test]
fn tags_are_shared_only_through_imports() {
    let dir = tempfile::tempdir().unwrap();
    let exporter = load(dir.path(), r#"(module (tag (export "t") (param i32 f64)))"#, "exporter");
    let importer = load(
        dir.path(),
        r#"(module (import "m" "t" (tag $t (param i32 f64))) (export "again" (tag $t))
                   (tag (export "own") (param i32 f64)))"#,
        "importer",
    );
    let first = Instance::instantiate(&exporter, &mut |_, _, _| None).unwrap();
    let second = Instance::instantiate(&exporter, &mut |_, _, _| None).unwrap();
    assert_eq!(tag(&first, "t").signature(), "iF:");
    assert!(!tag(&first, "t").same(&tag(&second, "t")), "each instance makes its own tag");

    let linked = Instance::instantiate(&importer, &mut |_, name, _| first.export(name)).unwrap();
    assert!(tag(&linked, "again").same(&tag(&first, "t")), "an imported tag is the exporter's");
    assert!(!tag(&linked, "own").same(&tag(&first, "t")), "a tag of the same type is another");

    let other = load(dir.path(), r#"(module (import "m" "t" (tag (param i32))))"#, "other");
    match Instance::instantiate(&other, &mut |_, name, _| first.export(name)) {
        Err(InstantiationError::Link(message)) => {
            assert_eq!(message, "incompatible import type: m::t")
        }
        Err(error) => panic!("a tag of another type: {error}"),
        Ok(_) => panic!("a tag of another type linked"),
    }
}

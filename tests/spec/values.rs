//! Wast constants to runtime values, and result patterns (NaN classes, v128 lanes, references)
//! matched against what a call returned.

use std::ffi::c_void;
use std::ptr::NonNull;
use wasm2native::runtime::Value;
use wast::core::{AbstractHeapType, HeapType, NanPattern, V128Pattern, WastArgCore, WastRetCore};
use wast::{WastArg, WastRet};

/// `ref.extern N` as a host pointer: N + 1, so that `ref.extern 0` is not null.
pub fn extern_ref(n: u32) -> Option<NonNull<c_void>> {
    NonNull::new((n as usize + 1) as *mut c_void)
}

/// The argument of an `invoke`, or why it cannot be passed.
pub fn arg_value(arg: &WastArg) -> Result<Value, String> {
    let WastArg::Core(core) = arg else {
        return Err("component-model argument".to_string());
    };
    Ok(match core {
        WastArgCore::I32(v) => Value::I32(*v),
        WastArgCore::I64(v) => Value::I64(*v),
        WastArgCore::F32(v) => Value::F32(v.bits),
        WastArgCore::F64(v) => Value::F64(v.bits),
        WastArgCore::V128(v) => Value::V128(u128::from_le_bytes(v.to_le_bytes())),
        WastArgCore::RefNull(heap) => match abstract_heap(heap) {
            Some(AbstractHeapType::Func) => Value::FuncRef(None),
            Some(AbstractHeapType::Extern) => Value::ExternRef(None),
            Some(AbstractHeapType::Exn) => Value::ExnRef(None),
            _ => return Err(format!("unsupported null reference type {heap:?}")),
        },
        WastArgCore::RefExtern(n) => Value::ExternRef(extern_ref(*n)),
        WastArgCore::RefHost(_) => return Err("ref.host argument".to_string()),
    })
}

fn abstract_heap(heap: &HeapType) -> Option<AbstractHeapType> {
    match heap {
        HeapType::Abstract { shared: false, ty } => Some(*ty),
        _ => None,
    }
}

/// Whether `actual` matches the expected result `expected`.
pub fn matches(expected: &WastRet, actual: &Value) -> bool {
    match expected {
        WastRet::Core(core) => matches_core(core, actual),
        _ => false,
    }
}

fn matches_core(expected: &WastRetCore, actual: &Value) -> bool {
    match (expected, actual) {
        (WastRetCore::I32(e), Value::I32(a)) => e == a,
        (WastRetCore::I64(e), Value::I64(a)) => e == a,
        (WastRetCore::F32(e), Value::F32(a)) => f32_matches(e, *a),
        (WastRetCore::F64(e), Value::F64(a)) => f64_matches(e, *a),
        (WastRetCore::V128(e), Value::V128(a)) => v128_matches(e, *a),
        (WastRetCore::RefNull(heap), Value::FuncRef(None)) => heap.as_ref().is_none_or(|h| {
            matches!(abstract_heap(h), Some(AbstractHeapType::Func | AbstractHeapType::NoFunc))
        }),
        (WastRetCore::RefNull(heap), Value::ExternRef(None)) => heap.as_ref().is_none_or(|h| {
            matches!(abstract_heap(h), Some(AbstractHeapType::Extern | AbstractHeapType::NoExtern))
        }),
        (WastRetCore::RefNull(heap), Value::ExnRef(None)) => heap.as_ref().is_none_or(|h| {
            matches!(abstract_heap(h), Some(AbstractHeapType::Exn | AbstractHeapType::NoExn))
        }),
        (WastRetCore::RefExtern(n), Value::ExternRef(Some(p))) => {
            n.is_none_or(|n| extern_ref(n) == Some(*p))
        }
        // The function behind a funcref has no identity the harness can compare.
        (WastRetCore::RefFunc(_), Value::FuncRef(Some(_))) => true,
        (WastRetCore::Either(options), a) => options.iter().any(|e| matches_core(e, a)),
        _ => false,
    }
}

fn f32_matches(expected: &NanPattern<wast::token::F32>, bits: u32) -> bool {
    match expected {
        NanPattern::CanonicalNan => bits & 0x7fff_ffff == 0x7fc0_0000,
        NanPattern::ArithmeticNan => bits & 0x7fc0_0000 == 0x7fc0_0000,
        NanPattern::Value(v) => v.bits == bits,
    }
}

fn f64_matches(expected: &NanPattern<wast::token::F64>, bits: u64) -> bool {
    const QUIET: u64 = 0x7ff8_0000_0000_0000;
    match expected {
        NanPattern::CanonicalNan => bits & 0x7fff_ffff_ffff_ffff == QUIET,
        NanPattern::ArithmeticNan => bits & QUIET == QUIET,
        NanPattern::Value(v) => v.bits == bits,
    }
}

/// Lane by lane, with NaN patterns allowed in float lanes.
fn v128_matches(expected: &V128Pattern, actual: u128) -> bool {
    let bytes = actual.to_le_bytes();
    let lane = |i: usize, width: usize| -> u64 {
        let mut word = [0u8; 8];
        word[..width].copy_from_slice(&bytes[i * width..(i + 1) * width]);
        u64::from_le_bytes(word)
    };
    match expected {
        V128Pattern::I8x16(v) => v.iter().enumerate().all(|(i, &e)| lane(i, 1) == e as u8 as u64),
        V128Pattern::I16x8(v) => v.iter().enumerate().all(|(i, &e)| lane(i, 2) == e as u16 as u64),
        V128Pattern::I32x4(v) => v.iter().enumerate().all(|(i, &e)| lane(i, 4) == e as u32 as u64),
        V128Pattern::I64x2(v) => v.iter().enumerate().all(|(i, &e)| lane(i, 8) == e as u64),
        V128Pattern::F32x4(v) => {
            v.iter().enumerate().all(|(i, e)| f32_matches(e, lane(i, 4) as u32))
        }
        V128Pattern::F64x2(v) => v.iter().enumerate().all(|(i, e)| f64_matches(e, lane(i, 8))),
    }
}

/// A value as the failure report shows it.
pub fn show(value: &Value) -> String {
    match value {
        Value::I32(v) => format!("i32:{v}"),
        Value::I64(v) => format!("i64:{v}"),
        Value::F32(bits) => format!("f32:{} ({bits:#010x})", f32::from_bits(*bits)),
        Value::F64(bits) => format!("f64:{} ({bits:#018x})", f64::from_bits(*bits)),
        Value::V128(v) => format!("v128:{v:#034x}"),
        Value::FuncRef(None) => "ref.null func".to_string(),
        Value::FuncRef(Some(p)) => format!("ref.func {:p}", p.as_ptr()),
        Value::ExternRef(None) => "ref.null extern".to_string(),
        Value::ExternRef(Some(p)) => {
            format!("ref.extern {}", (p.as_ptr() as usize).wrapping_sub(1))
        }
        Value::ExnRef(None) => "ref.null exn".to_string(),
        Value::ExnRef(Some(p)) => format!("exnref {:p}", p.as_ptr()),
    }
}

pub fn show_all(values: &[Value]) -> String {
    let shown: Vec<String> = values.iter().map(show).collect();
    format!("[{}]", shown.join(", "))
}

/// Expected results as the failure report shows them.
pub fn show_expected(results: &[WastRet]) -> String {
    let shown: Vec<String> = results
        .iter()
        .map(|r| match r {
            WastRet::Core(core) => show_ret(core),
            _ => "component value".to_string(),
        })
        .collect();
    format!("[{}]", shown.join(", "))
}

fn show_ret(ret: &WastRetCore) -> String {
    let nan32 = |p: &NanPattern<wast::token::F32>| match p {
        NanPattern::CanonicalNan => "nan:canonical".to_string(),
        NanPattern::ArithmeticNan => "nan:arithmetic".to_string(),
        NanPattern::Value(v) => format!("{} ({:#010x})", f32::from_bits(v.bits), v.bits),
    };
    let nan64 = |p: &NanPattern<wast::token::F64>| match p {
        NanPattern::CanonicalNan => "nan:canonical".to_string(),
        NanPattern::ArithmeticNan => "nan:arithmetic".to_string(),
        NanPattern::Value(v) => format!("{} ({:#018x})", f64::from_bits(v.bits), v.bits),
    };
    match ret {
        WastRetCore::I32(v) => format!("i32:{v}"),
        WastRetCore::I64(v) => format!("i64:{v}"),
        WastRetCore::F32(p) => format!("f32:{}", nan32(p)),
        WastRetCore::F64(p) => format!("f64:{}", nan64(p)),
        WastRetCore::V128(V128Pattern::F32x4(lanes)) => {
            format!("v128:f32x4 {}", lanes.iter().map(nan32).collect::<Vec<_>>().join(" "))
        }
        WastRetCore::V128(V128Pattern::F64x2(lanes)) => {
            format!("v128:f64x2 {}", lanes.iter().map(nan64).collect::<Vec<_>>().join(" "))
        }
        WastRetCore::V128(p) => format!("v128:{p:?}"),
        WastRetCore::RefNull(_) => "ref.null".to_string(),
        WastRetCore::RefExtern(Some(n)) => format!("ref.extern {n}"),
        WastRetCore::RefExtern(None) => "ref.extern".to_string(),
        WastRetCore::RefFunc(_) => "ref.func".to_string(),
        WastRetCore::Either(options) => {
            format!("either({})", options.iter().map(show_ret).collect::<Vec<_>>().join(" | "))
        }
        other => format!("{other:?}"),
    }
}

//! SIMD as users meet it: v128 operators become x86-64 vector instructions, a C program that
//! clang auto-vectorizes for Wasm prints what its native build prints, and relaxed SIMD gives
//! the results each mode promises: the same bits on every CPU when deterministic, those of the
//! instruction each operator stands for when native, on inputs where the two differ. An input
//! that once sent LLVM's x86 instruction selection into an endless loop at -O0 compiles there and
//! runs as at -O2.

use std::path::Path;
use std::process::Command;
use wasm2native::{compile, Emit, OptLevel, Options, RelaxedSimd};

mod common;

/// Each function's body must lower to the named x86 instruction, not to per-lane scalar code.
const KERNELS: &[(&str, &str, &str)] = &[
    ("add", "(i32x4.add (local.get 0) (local.get 1))", "paddd"),
    ("mul", "(f32x4.mul (local.get 0) (local.get 1))", "mulps"),
    ("eq", "(i32x4.eq (local.get 0) (local.get 1))", "pcmpeqd"),
    ("dot", "(i32x4.dot_i16x8_s (local.get 0) (local.get 1))", "pmaddwd"),
    ("swizzle", "(i8x16.swizzle (local.get 0) (local.get 1))", "pshufb"),
    (
        "shuffle",
        "(i8x16.shuffle 3 2 1 0 7 6 5 4 11 10 9 8 15 14 13 12 (local.get 0) (local.get 1))",
        "pshufb",
    ),
];

fn function_body<'s>(asm: &'s str, name: &str) -> &'s str {
    let start = asm.find(&format!("{name}:\n")).unwrap_or_else(|| panic!("no {name} in assembly"));
    let rest = &asm[start..];
    let end = rest.find(".Lfunc_end").unwrap_or(rest.len());
    &rest[..end]
}

#[test]
fn simd_operators_lower_to_vector_instructions() {
    let funcs: String = KERNELS
        .iter()
        .map(|(name, body, _)| {
            format!("(func ${name} (export \"{name}\") (param v128 v128) (result v128) {body})\n")
        })
        .collect();
    let module = format!("(module {funcs})");
    let options = Options { cpu: Some("x86-64-v2".into()), ..Options::default() };
    let asm = compile(module.as_bytes(), &options, Emit::Assembly).expect("compile");
    let asm = String::from_utf8(asm).expect("utf-8 assembly");
    for (name, _, instruction) in KERNELS {
        let body = function_body(&asm, &format!("wasm.{name}"));
        assert!(body.contains(instruction), "{name}: no {instruction} in\n{body}");
        let scalar_moves = body.matches("pextr").count() + body.matches("pinsr").count();
        assert_eq!(scalar_moves, 0, "{name}: per-lane scalar code in\n{body}");
    }
}

#[test]
fn auto_vectorized_c_program_matches_native() {
    let dir = tempfile::tempdir().unwrap();
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/programs/vectorize.c");
    let wasm = dir.path().join("vectorize.wasm");
    let native = dir.path().join("vectorize_native");
    let compiled = dir.path().join("vectorize");
    let run = |cmd: &mut Command| {
        let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
        assert!(out.status.success(), "{cmd:?}: {}", String::from_utf8_lossy(&out.stderr));
        out.stdout
    };
    run(Command::new("clang-19")
        .args(["--target=wasm32-wasi", "--sysroot=/usr", "-O3", "-msimd128", "-o"])
        .arg(&wasm)
        .arg(&source));
    let wasm_bytes = std::fs::read(&wasm).unwrap();
    let has_simd = wasmparser::Parser::new(0).parse_all(&wasm_bytes).any(|payload| match payload {
        Ok(wasmparser::Payload::CodeSectionEntry(body)) => body
            .get_operators_reader()
            .map(|ops| {
                ops.into_iter().any(|op| matches!(op, Ok(wasmparser::Operator::V128Load { .. })))
            })
            .unwrap_or(false),
        _ => false,
    });
    assert!(has_simd, "clang did not vectorize: the test would prove nothing");
    run(Command::new("clang-19")
        .args(["-O3", "-ffp-contract=off", "-o"])
        .arg(&native)
        .arg(&source));
    run(common::wasm2native().arg(&wasm).arg("-o").arg(&compiled));
    assert_eq!(
        String::from_utf8_lossy(&run(&mut Command::new(&compiled))),
        String::from_utf8_lossy(&run(&mut Command::new(&native)))
    );
}

/// One relaxed SIMD operator per export, applied to its parameters.
const RELAXED: &str = r#"(module
  (func (export "swizzle") (param v128 v128) (result v128) (i8x16.relaxed_swizzle (local.get 0) (local.get 1)))
  (func (export "trunc_s") (param v128) (result v128) (i32x4.relaxed_trunc_f32x4_s (local.get 0)))
  (func (export "trunc_u") (param v128) (result v128) (i32x4.relaxed_trunc_f32x4_u (local.get 0)))
  (func (export "trunc_s_zero") (param v128) (result v128) (i32x4.relaxed_trunc_f64x2_s_zero (local.get 0)))
  (func (export "trunc_u_zero") (param v128) (result v128) (i32x4.relaxed_trunc_f64x2_u_zero (local.get 0)))
  (func (export "madd") (param v128 v128 v128) (result v128) (f32x4.relaxed_madd (local.get 0) (local.get 1) (local.get 2)))
  (func (export "nmadd") (param v128 v128 v128) (result v128) (f64x2.relaxed_nmadd (local.get 0) (local.get 1) (local.get 2)))
  (func (export "laneselect16") (param v128 v128 v128) (result v128) (i16x8.relaxed_laneselect (local.get 0) (local.get 1) (local.get 2)))
  (func (export "laneselect32") (param v128 v128 v128) (result v128) (i32x4.relaxed_laneselect (local.get 0) (local.get 1) (local.get 2)))
  (func (export "min") (param v128 v128) (result v128) (f32x4.relaxed_min (local.get 0) (local.get 1)))
  (func (export "max") (param v128 v128) (result v128) (f64x2.relaxed_max (local.get 0) (local.get 1)))
  (func (export "q15mulr") (param v128 v128) (result v128) (i16x8.relaxed_q15mulr_s (local.get 0) (local.get 1)))
  (func (export "dot") (param v128 v128) (result v128) (i16x8.relaxed_dot_i8x16_i7x16_s (local.get 0) (local.get 1)))
  (func (export "dot_add") (param v128 v128 v128) (result v128) (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get 0) (local.get 1) (local.get 2))))"#;

/// The x86 extensions whose instructions the native lowering of relaxed SIMD picks.
#[derive(Clone, Copy, Debug, Default)]
struct X86 {
    ssse3: bool,
    sse41: bool,
    fma: bool,
    avx512vl: bool,
    vnni: bool,
}

/// An export of `RELAXED` called on inputs where hosts may differ, with its result in
/// deterministic mode and natively on an x86 CPU with the given extensions.
struct Probe {
    export: &'static str,
    args: Vec<u128>,
    deterministic: u128,
    native: Box<dyn Fn(X86) -> u128>,
}

/// `values` as lanes of `bits` bits, lane 0 lowest.
fn pack(values: &[u64], bits: u32) -> u128 {
    let mask = u128::MAX >> (128 - bits);
    values.iter().enumerate().fold(0, |v, (i, &x)| v | (x as u128 & mask) << (i as u32 * bits))
}

fn i8x16(values: [i8; 16]) -> u128 {
    pack(&values.map(|x| x as u64), 8)
}

fn i16x8(values: [i16; 8]) -> u128 {
    pack(&values.map(|x| x as u64), 16)
}

fn i32x4(values: [u32; 4]) -> u128 {
    pack(&values.map(|x| x as u64), 32)
}

fn f32x4(values: [f32; 4]) -> u128 {
    pack(&values.map(|x| x.to_bits() as u64), 32)
}

fn f64x2(values: [f64; 2]) -> u128 {
    pack(&values.map(|x| x.to_bits()), 64)
}

fn probes() -> Vec<Probe> {
    let nan32 = f32::from_bits(0x7fc0_0000);
    let nan64 = f64::from_bits(0x7ff8_0000_0000_0000);
    let table: [i8; 16] = std::array::from_fn(|i| 0x10 + i as i8);
    // Indices from 16 to 127 and from 128: pshufb takes the first modulo 16 and zeroes the
    // second, the standard swizzle zeroes both.
    let indices = [16, -128, 17, -1, 31, 127, 0, 1, 2, 3, 4, 5, 6, 7, 8, 15];
    let swizzled = move |pshufb: bool| {
        i8x16(indices.map(|index: i8| match index as u8 {
            i @ 0..16 => table[i as usize],
            i @ 16..128 if pshufb => table[i as usize % 16],
            _ => 0,
        }))
    };
    let same = |result: u128| -> Box<dyn Fn(X86) -> u128> { Box::new(move |_| result) };
    // x + 2^-30 times 1 + 2^-23 rounds to exactly -z, so only the fused form leaves 2^-53.
    let (x, y, z) =
        (1.0 + 2f64.powi(-30), 1.0 + 2f64.powi(-23), -(1.0 + 2f64.powi(-23) + 2f64.powi(-30)));
    let (a32, b32) = (0x1111_1111u32, 0x2222_2222u32);
    let blended32 = i32x4([a32, b32, a32, b32]);
    let bitselected32 = i32x4([b32, a32, a32, b32]);
    let (a16, b16) = (0x1234i16, 0x5678i16);
    let lane16 = move |first: i16| i16x8([first, 0x1278, a16, b16, b16, b16, b16, b16]);
    vec![
        Probe {
            export: "swizzle",
            args: vec![i8x16(table), i8x16(indices)],
            deterministic: swizzled(false),
            native: Box::new(move |x86| swizzled(x86.ssse3)),
        },
        Probe {
            export: "trunc_s",
            args: vec![f32x4([nan32, 3e9, -3e9, -1.9])],
            deterministic: i32x4([0, 0x7fff_ffff, 0x8000_0000, u32::MAX]),
            native: same(i32x4([0x8000_0000, 0x8000_0000, 0x8000_0000, u32::MAX])),
        },
        Probe {
            export: "trunc_u",
            args: vec![f32x4([nan32, -1.0, 5e9, 3e9])],
            deterministic: i32x4([0, 0, u32::MAX, 3_000_000_000]),
            native: same(i32x4([u32::MAX, u32::MAX, u32::MAX, 3_000_000_000])),
        },
        Probe {
            export: "trunc_u",
            args: vec![f32x4([-0.5, 2_147_483_520.0, 2_147_483_648.0, 4_294_967_040.0])],
            deterministic: i32x4([0, 2_147_483_520, 2_147_483_648, 4_294_967_040]),
            native: same(i32x4([0, 2_147_483_520, 2_147_483_648, 4_294_967_040])),
        },
        Probe {
            export: "trunc_s_zero",
            args: vec![f64x2([nan64, 3e9])],
            deterministic: i32x4([0, 0x7fff_ffff, 0, 0]),
            native: same(i32x4([0x8000_0000, 0x8000_0000, 0, 0])),
        },
        Probe {
            export: "trunc_u_zero",
            args: vec![f64x2([nan64, 3_000_000_000.5])],
            deterministic: i32x4([0, 3_000_000_000, 0, 0]),
            native: same(i32x4([u32::MAX, 3_000_000_000, 0, 0])),
        },
        Probe {
            export: "trunc_u_zero",
            args: vec![f64x2([-1.0, 4_294_967_295.9])],
            deterministic: i32x4([0, u32::MAX, 0, 0]),
            native: same(i32x4([u32::MAX, u32::MAX, 0, 0])),
        },
        Probe {
            // FLT_MAX * 2 - FLT_MAX: FLT_MAX fused, infinity rounded twice.
            export: "madd",
            args: vec![f32x4([f32::MAX; 4]), f32x4([2.0; 4]), f32x4([-f32::MAX; 4])],
            deterministic: f32x4([f32::MAX; 4]),
            native: Box::new(|x86| f32x4([if x86.fma { f32::MAX } else { f32::INFINITY }; 4])),
        },
        Probe {
            export: "nmadd",
            args: vec![f64x2([-x; 2]), f64x2([y; 2]), f64x2([z; 2])],
            deterministic: f64x2([2f64.powi(-53); 2]),
            native: Box::new(|x86| f64x2([if x86.fma { 2f64.powi(-53) } else { 0.0 }; 2])),
        },
        Probe {
            // Masks neither all ones nor all zeros: pblendvb reads each byte's top bit.
            export: "laneselect16",
            args: vec![
                i16x8([a16; 8]),
                i16x8([b16; 8]),
                i16x8([0x0080, -0x100, -1, 0, 0, 0, 0, 0]),
            ],
            deterministic: lane16(b16),
            native: Box::new(move |x86| lane16(if blends(x86) { 0x5634 } else { b16 })),
        },
        Probe {
            export: "laneselect32",
            args: vec![
                i32x4([a32; 4]),
                i32x4([b32; 4]),
                i32x4([0x8000_0000, 0x7fff_ffff, u32::MAX, 0]),
            ],
            deterministic: bitselected32,
            native: Box::new(move |x86| if blends(x86) { blended32 } else { bitselected32 }),
        },
        Probe {
            // minps gives the second operand for a NaN and for two zeros.
            export: "min",
            args: vec![f32x4([nan32, 0.0, 0.0, -0.0]), f32x4([1.0, nan32, -0.0, 0.0])],
            deterministic: f32x4([nan32, nan32, -0.0, -0.0]),
            native: same(f32x4([1.0, nan32, -0.0, 0.0])),
        },
        Probe {
            export: "max",
            args: vec![f64x2([nan64, -0.0]), f64x2([1.0, 0.0])],
            deterministic: f64x2([nan64, 0.0]),
            native: same(f64x2([1.0, 0.0])),
        },
        Probe {
            // -32768 * -32768 overflows: pmulhrsw wraps, the standard operator saturates.
            export: "q15mulr",
            args: vec![i16x8([i16::MIN, 16384, 0, 0, 0, 0, 0, 0]); 2],
            deterministic: i16x8([i16::MAX, 8192, 0, 0, 0, 0, 0, 0]),
            native: Box::new(|x86| {
                i16x8([if x86.ssse3 { i16::MIN } else { i16::MAX }, 8192, 0, 0, 0, 0, 0, 0])
            }),
        },
        Probe {
            // -127 has its top bit set: pmaddubsw reads it as 129 and saturates the sum.
            export: "dot",
            args: vec![
                i8x16([-128, -128, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
                i8x16([-127, -127, 5, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
            ],
            deterministic: i16x8([32512, 39, 0, 0, 0, 0, 0, 0]),
            native: Box::new(|x86| {
                i16x8([if x86.ssse3 { i16::MIN } else { 32512 }, 39, 0, 0, 0, 0, 0, 0])
            }),
        },
        Probe {
            // vpdpbusd sums the four products of 129 unsaturated, pmaddubsw saturates pairs.
            export: "dot_add",
            args: vec![
                i8x16([-128, -128, -128, -128, 1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0]),
                i8x16([-127, -127, -127, -127, 5, 6, 7, 8, 0, 0, 0, 0, 0, 0, 0, 0]),
                i32x4([1, 10, 0, 0]),
            ],
            deterministic: i32x4([65025, 80, 0, 0]),
            native: Box::new(|x86| {
                let first = match x86 {
                    X86 { vnni: true, .. } => -66047,
                    X86 { ssse3: true, .. } => -65535,
                    _ => 65025,
                };
                i32x4([first as u32, 80, 0, 0])
            }),
        },
    ]
}

/// The index of the function `RELAXED` exports as `name`: its functions come in the order of
/// their exports.
fn relaxed_function_index(name: &str) -> usize {
    let quoted = format!("{name}\"");
    RELAXED.split("(export \"").skip(1).position(|rest| rest.starts_with(&quoted)).unwrap()
}

/// Whether the native lowering of a lane select is a blend: with SSE4.1, unless AVX-512 makes a
/// bitwise select one instruction.
fn blends(x86: X86) -> bool {
    x86.sse41 && !x86.avx512vl
}

/// Compiles `RELAXED` with `options`, calls every probe and compares with `expected`.
fn check_probes(options: &Options, expected: &dyn Fn(&Probe) -> u128) {
    use wasm2native::runtime::{Instance, LoadedModule, Value};
    let dir = tempfile::tempdir().unwrap();
    let object = compile(RELAXED.as_bytes(), options, Emit::Object).expect("compile");
    let path = dir.path().join("relaxed.so");
    wasm2native::link::link_shared_module(&object, &path).unwrap();
    let module = LoadedModule::load(&path).unwrap();
    let instance = Instance::instantiate(&module, &mut |_, _, _| None).unwrap();
    for probe in probes() {
        let args: Vec<Value> = probe.args.iter().map(|&arg| Value::V128(arg)).collect();
        let result = instance.call(probe.export, &args).unwrap();
        let want = expected(&probe);
        assert_eq!(
            result,
            vec![Value::V128(want)],
            "{} with {:?} {:?} {:?}: want {want:#034x}",
            probe.export,
            options.relaxed_simd,
            options.cpu,
            options.opt_level
        );
    }
}

/// The CPU flags Linux reports for this machine.
fn host_cpu_flags() -> Vec<String> {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let flags = info.lines().find(|line| line.starts_with("flags")).unwrap_or_default();
    flags.split_whitespace().map(str::to_string).collect()
}

/// The x86-64 CPU levels this machine runs, each with the extensions the native lowering uses,
/// and the machine itself (`None`).
fn x86_levels() -> Vec<(Option<&'static str>, X86)> {
    let flags = host_cpu_flags();
    let has = |names: &[&str]| names.iter().all(|name| flags.iter().any(|flag| flag == name));
    let v2 = X86 { ssse3: true, sse41: true, ..X86::default() };
    let v3 = X86 { fma: true, ..v2 };
    let v4 = X86 { avx512vl: true, ..v3 };
    let host = X86 {
        ssse3: has(&["ssse3"]),
        sse41: has(&["sse4_1"]),
        fma: has(&["fma"]),
        avx512vl: has(&["avx512f", "avx512vl"]),
        vnni: has(&["avx_vnni"]) || has(&["avx512_vnni", "avx512vl"]),
    };
    let mut levels = vec![(Some("x86-64"), X86::default())];
    if has(&["ssse3", "sse4_1", "sse4_2", "popcnt"]) {
        levels.push((Some("x86-64-v2"), v2));
    }
    if has(&["avx2", "fma", "bmi2", "movbe"]) {
        levels.push((Some("x86-64-v3"), v3));
    }
    if has(&["avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"]) {
        levels.push((Some("x86-64-v4"), v4));
    }
    levels.push((None, host));
    levels
}

#[test]
fn deterministic_relaxed_simd_gives_the_same_bits_on_every_target() {
    let cpus: Vec<Option<&str>> = match cfg!(target_arch = "x86_64") {
        true => x86_levels().into_iter().map(|(cpu, _)| cpu).collect(),
        false => vec![None],
    };
    for cpu in cpus {
        for opt_level in [OptLevel::O0, OptLevel::O2] {
            let options = Options {
                opt_level,
                cpu: cpu.map(str::to_string),
                relaxed_simd: RelaxedSimd::Deterministic,
                ..Options::default()
            };
            check_probes(&options, &|probe| probe.deterministic);
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[test]
fn native_relaxed_simd_gives_the_results_of_x86_instructions() {
    for (cpu, x86) in x86_levels() {
        for opt_level in [OptLevel::O0, OptLevel::O2] {
            let options = Options { opt_level, cpu: cpu.map(str::to_string), ..Options::default() };
            check_probes(&options, &|probe| (probe.native)(x86));
        }
    }
}

/// Each relaxed operator becomes the instruction it was made for, on a CPU that has it.
#[test]
fn relaxed_simd_lowers_to_the_instruction_it_stands_for() {
    const X86_64: &str = "x86_64-unknown-linux-gnu";
    const AARCH64: &str = "aarch64-unknown-linux-gnu";
    let expected: &[(&str, &str, &str, &[&str])] = &[
        (X86_64, "x86-64-v3", "swizzle", &["vpshufb"]),
        (X86_64, "x86-64-v3", "trunc_s", &["vcvttps2dq"]),
        (X86_64, "x86-64-v4", "trunc_u", &["vcvttps2udq"]),
        (X86_64, "x86-64-v3", "trunc_s_zero", &["vcvttpd2dq"]),
        (X86_64, "x86-64-v4", "trunc_u_zero", &["vcvttpd2udq"]),
        (X86_64, "x86-64-v3", "madd", &["vfmadd"]),
        (X86_64, "x86-64-v3", "nmadd", &["vfnmadd"]),
        (X86_64, "x86-64-v3", "laneselect16", &["vpblendvb"]),
        (X86_64, "x86-64-v3", "laneselect32", &["vblendvps"]),
        (X86_64, "x86-64-v4", "laneselect32", &["vpternlog"]),
        (X86_64, "x86-64-v3", "min", &["vminps"]),
        (X86_64, "x86-64-v3", "max", &["vmaxpd"]),
        (X86_64, "x86-64-v3", "q15mulr", &["vpmulhrsw"]),
        (X86_64, "x86-64-v3", "dot", &["vpmaddubsw"]),
        (X86_64, "x86-64-v3", "dot_add", &["vpmaddubsw", "vpmaddwd"]),
        (X86_64, "sapphirerapids", "dot_add", &["vpdpbusd"]),
        (AARCH64, "generic", "swizzle", &["tbl"]),
        (AARCH64, "generic", "trunc_u", &["fcvtzu"]),
        (AARCH64, "generic", "madd", &["fmla"]),
        (AARCH64, "generic", "nmadd", &["fmls"]),
        (AARCH64, "generic", "laneselect32", &["bif"]),
        (AARCH64, "generic", "q15mulr", &["sqrdmulh"]),
    ];
    let mut assembly = std::collections::HashMap::new();
    for (triple, cpu, export, instructions) in expected {
        let asm = assembly.entry((triple, cpu)).or_insert_with(|| {
            let options = Options {
                target: Some(triple.to_string()),
                cpu: Some(cpu.to_string()),
                ..Options::default()
            };
            let asm = compile(RELAXED.as_bytes(), &options, Emit::Assembly).expect("compile");
            String::from_utf8(asm).expect("utf-8 assembly")
        });
        let body = function_body(asm, &format!("wasm_func_{}", relaxed_function_index(export)));
        for instruction in *instructions {
            assert!(body.contains(instruction), "{export} for {cpu}: no {instruction} in\n{body}");
        }
    }
}

/// tests/golden/abs_of_constant_compare.wat, whose abs of a constant compare took LLVM's x86
/// instruction selection minutes and gigabytes at -O0 when abs was an `llvm.fabs`, compiles at
/// -O0 and gives there what it gives at -O2: the compare's lanes (-1 0 -1 -1) with the sign
/// bit of each f64 or f32 lane cleared, selected bitwise by the argument.
#[test]
fn abs_of_a_constant_compare_compiles_at_o0() {
    use wasm2native::runtime::{Instance, LoadedModule, Value};
    let module = include_str!("golden/abs_of_constant_compare.wat");
    let argument = i32x4([u32::MAX, u32::MAX, 0xffff_0000, u32::MAX]);
    let expected = [
        ("f64x2", i32x4([u32::MAX, 0, 0xffff_0000, 0x7fff_ffff])),
        ("f32x4", i32x4([0x7fff_ffff, 0, 0x7fff_0000, 0x7fff_ffff])),
    ];
    let dir = tempfile::tempdir().unwrap();
    for opt_level in [OptLevel::O0, OptLevel::O2] {
        let options = Options { opt_level, verify_ir: true, ..Options::default() };
        let object = compile(module.as_bytes(), &options, Emit::Object).expect("compile");
        let path = dir.path().join(format!("abs_{opt_level:?}.so"));
        wasm2native::link::link_shared_module(&object, &path).unwrap();
        let loaded = LoadedModule::load(&path).unwrap();
        let instance = Instance::instantiate(&loaded, &mut |_, _, _| None).unwrap();
        for (export, lanes) in expected {
            let result = instance.call(export, &[Value::V128(argument)]).unwrap();
            assert_eq!(result, vec![Value::V128(lanes)], "{export} at {opt_level:?}");
        }
    }
}

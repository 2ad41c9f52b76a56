//! Compiling one module on several cores: the defined functions are split into contiguous parts
//! of similar estimated cost, a function too costly to share a part getting one of its own. Up
//! to `jobs` threads take the parts from a queue, costliest first, each part translated,
//! optimised and emitted with an LLVM context of its own; the objects are then linked
//! relocatably, in part order, into one object. The split depends only on the module and the
//! number of jobs, and the merge on the part order only, so the output is the same on every run
//! whichever thread compiled which part.

use crate::capi::Surface;
use crate::error::{CompileError, ErrorKind};
use crate::frontend::ModuleInfo;
use crate::progress::{self, Reporter};
use crate::source_debug::SourceDebug;
use crate::translate::{self, Partition};
use crate::{codegen, library, Emit, OptLevel, Options};
use inkwell::values::BasicValue;
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Environment variable overriding the number of parallel jobs (`1` compiles on one thread).
pub const JOBS_VARIABLE: &str = "WASM2NATIVE_JOBS";

/// The estimated cost of a function beyond its code bytes: entry and exit, frame, symbol.
const FUNCTION_COST: usize = 64;

/// Estimated cost below which another part costs more (context, declarations, link) than it saves.
const MIN_PART_COST: usize = 4 * 1024;

/// Parts per job at most: more parts than jobs let the queue even out parts that take longer
/// than their estimate.
const PARTS_PER_JOB: usize = 4;

/// Without optimisation, code generation is cheap next to what a part costs (context,
/// declarations, its share of the merge): a job gets a second part only from this much code.
const MIN_EXTRA_PART_COST_O0: usize = 64 * 1024;

/// The estimated cost of declaring one function in one part: every part declares every
/// function of the module, which is what limits the parts of a module of many small functions.
const DECLARATION_COST: usize = 2;

/// Declarations may add at most a share of `1 / DECLARATIONS_SHARE` to the work.
const DECLARATIONS_SHARE: usize = 8;

/// Translates, optimises and emits `info` as `emit` asks, in as many parts as its size and the
/// jobs allow; `record` and `api` go into the first part.
pub fn compile_module(
    info: &ModuleInfo<'_>,
    record: &str,
    options: &Options,
    emit: Emit,
    api: Option<&Surface>,
    source_debug: Option<&SourceDebug>,
) -> Result<Vec<u8>, CompileError> {
    let mut outputs = compile_parts(info, record, options, emit, api, source_debug)?;
    match outputs.len() {
        1 => Ok(outputs.remove(0)),
        _ => merge(&outputs),
    }
}

/// As `compile_module`, but objects stay one per part, in part order: a linker that takes them
/// all at once (an executable's) needs no merged object.
pub fn compile_parts(
    info: &ModuleInfo<'_>,
    record: &str,
    options: &Options,
    emit: Emit,
    api: Option<&Surface>,
    source_debug: Option<&SourceDebug>,
) -> Result<Vec<Vec<u8>>, CompileError> {
    let costs: Vec<usize> = info
        .bodies
        .iter()
        .map(|body| body.get_binary_reader().bytes_remaining() + FUNCTION_COST)
        .collect();
    let jobs = jobs()?;
    // Assembly and IR stay one file, to be read as one.
    let parts = match emit {
        Emit::Object => {
            let min_extra_part_cost = match options.opt_level {
                OptLevel::O0 => MIN_EXTRA_PART_COST_O0,
                _ => MIN_PART_COST,
            };
            part_count(costs.iter().sum(), info.func_types.len(), jobs, min_extra_part_cost)
        }
        Emit::Assembly | Emit::LlvmIr => 1,
    };
    let relaxed_simd = codegen::relaxed_simd_lowering(options)?;
    let ranges = split(&costs, parts);
    let is_split = ranges.len() > 1;
    let partitions: Vec<Partition> = ranges
        .into_iter()
        .enumerate()
        .map(|(index, bodies)| Partition { bodies, is_first: index == 0, is_split })
        .collect();
    let common = PartCommon { record, api, source_debug, relaxed_simd };
    progress::with_progress(info.bodies.len(), options.show_progress, |reporter| {
        if !is_split {
            let object = compile_part(info, options, emit, &common, &partitions[0]);
            reporter.add(info.bodies.len());
            return Ok(vec![object?]);
        }
        let order = costliest_first(&partitions, &costs);
        compile_queue(&partitions, &order, jobs, reporter, |partition| {
            compile_part(info, options, emit, &common, partition)
        })
    })
}

/// What compiling one part gives: its object, or why there is none.
type PartResult = Result<Vec<u8>, CompileError>;

/// Compiles every partition with `compile` on up to `jobs` threads that take them in `order`;
/// the objects come back in partition order, and the error of the first failed partition in
/// that order is the one returned, whatever the timing.
fn compile_queue(
    partitions: &[Partition],
    order: &[usize],
    jobs: usize,
    reporter: &Reporter,
    compile: impl Fn(&Partition) -> PartResult + Sync,
) -> Result<Vec<Vec<u8>>, CompileError> {
    let next = AtomicUsize::new(0);
    let results: Vec<Mutex<Option<PartResult>>> =
        partitions.iter().map(|_| Mutex::new(None)).collect();
    let worker = || {
        while let Some(&index) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
            let result = compile(&partitions[index]);
            reporter.add(partitions[index].bodies.len());
            if let Ok(mut slot) = results[index].lock() {
                *slot = Some(result);
            }
        }
    };
    std::thread::scope(|scope| {
        let threads: Vec<_> =
            (0..jobs.min(partitions.len())).map(|_| scope.spawn(worker)).collect();
        // A thread that panicked leaves its partition without a result, reported below.
        for thread in threads {
            let _ = thread.join();
        }
    });
    results
        .into_iter()
        .map(|slot| match slot.into_inner() {
            Ok(Some(result)) => result,
            _ => Err(CompileError::backend("a compile thread panicked")),
        })
        .collect()
}

/// The partition indices in decreasing order of estimated cost (ties in index order): started
/// first, the costliest parts do not end up alone at the end while other threads idle.
fn costliest_first(partitions: &[Partition], costs: &[usize]) -> Vec<usize> {
    let cost = |partition: &Partition| -> usize { costs[partition.bodies.clone()].iter().sum() };
    let mut order: Vec<usize> = (0..partitions.len()).collect();
    order.sort_by_key(|&index| std::cmp::Reverse(cost(&partitions[index])));
    order
}

/// What every part of a module is compiled with, besides its functions.
struct PartCommon<'a> {
    /// The build record, emitted by the first part.
    record: &'a str,
    /// The C API, emitted by the first part.
    api: Option<&'a Surface>,
    /// The module's own DWARF, for line tables in its source's terms.
    source_debug: Option<&'a SourceDebug>,
    relaxed_simd: translate::RelaxedLowering,
}

/// Translates one part in a context of its own, then optimises and emits it.
fn compile_part(
    info: &ModuleInfo<'_>,
    options: &Options,
    emit: Emit,
    common: &PartCommon<'_>,
    partition: &Partition,
) -> Result<Vec<u8>, CompileError> {
    let largest_function_bytes = partition
        .bodies
        .clone()
        .map(|index| info.bodies[index].get_binary_reader().bytes_remaining())
        .max()
        .unwrap_or(0);
    let shape = translate::CodeShape {
        bounds_checks: options.bounds_checks,
        versioned_checks: codegen::versions_loops(options, largest_function_bytes),
        fast_isel: codegen::machine_code_level(options, largest_function_bytes) == OptLevel::O0,
        vector_register: codegen::vector_register_constraint(options),
        relaxed_simd: common.relaxed_simd,
        line_tables: options.line_tables.as_deref(),
        source_debug: common.source_debug,
        source_variables: options.opt_level == OptLevel::O0,
    };
    let context = inkwell::context::Context::create();
    let module =
        translate::translate_module(&context, info, common.record, shape, common.api, partition)?;
    drop_unused_declarations(&module);
    codegen::emit(&module, options, emit, largest_function_bytes)
}

/// Deletes the functions `module` declares but neither defines nor uses: every part declares
/// every function of the module, and code generation visits each declaration once per pass.
fn drop_unused_declarations(module: &inkwell::module::Module<'_>) {
    let mut next = module.get_first_function();
    while let Some(function) = next {
        next = function.get_next_function();
        let is_used = function.as_global_value().as_pointer_value().get_first_use().is_some();
        if function.count_basic_blocks() == 0 && !is_used {
            // SAFETY: the function has no body and no uses, and the translation that declared
            // it is over, so nothing refers to it any more.
            unsafe { function.delete() };
        }
    }
}

/// The number of parallel jobs: `WASM2NATIVE_JOBS` when set, else the available cores.
fn jobs() -> Result<usize, CompileError> {
    match std::env::var(JOBS_VARIABLE) {
        Ok(value) => match value.trim().parse::<usize>() {
            Ok(jobs) if jobs > 0 => Ok(jobs),
            _ => Err(CompileError::new(
                ErrorKind::Unsupported,
                format!("{JOBS_VARIABLE}={value:?} is not a positive number of jobs"),
                None,
            )),
        },
        Err(_) => Ok(std::thread::available_parallelism().map_or(1, usize::from)),
    }
}

/// How many parts of similar cost a module of estimated cost `total_cost` and `functions`
/// functions is split into with `jobs` jobs: one per job, none below `MIN_PART_COST` on average,
/// and up to `PARTS_PER_JOB` per job while each extra part holds `min_extra_part_cost` and the
/// declarations stay a small share of the work; one for a single job, which gains nothing.
fn part_count(
    total_cost: usize,
    functions: usize,
    jobs: usize,
    min_extra_part_cost: usize,
) -> usize {
    if jobs == 1 {
        return 1;
    }
    let declarations = functions.max(1) * DECLARATION_COST * DECLARATIONS_SHARE;
    let per_job =
        (total_cost / jobs / min_extra_part_cost.max(declarations)).clamp(1, PARTS_PER_JOB);
    (jobs * per_job).min(total_cost / MIN_PART_COST).max(1)
}

/// Splits the functions of estimated costs `costs` into contiguous non-empty ranges of at most
/// `total / parts` each, except that a function costing more than that has a range of its own
/// (always at least one range, empty when there are no functions). Any two neighbouring ranges
/// together exceed the share, so there are fewer than `2 * parts + 1` ranges.
fn split(costs: &[usize], parts: usize) -> Vec<Range<usize>> {
    let share = costs.iter().sum::<usize>().div_ceil(parts.max(1));
    let mut ranges = Vec::with_capacity(2 * parts + 1);
    let mut start = 0;
    let mut running = 0;
    for (index, &cost) in costs.iter().enumerate() {
        if index > start && running + cost > share {
            ranges.push(start..index);
            start = index;
            running = 0;
        }
        running += cost;
    }
    if start < costs.len() || ranges.is_empty() {
        ranges.push(start..costs.len());
    }
    ranges
}

/// Links the parts' objects into one relocatable object, in part order.
fn merge(objects: &[Vec<u8>]) -> Result<Vec<u8>, CompileError> {
    let names: Vec<String> = (0..objects.len()).map(|index| format!("part{index}.o")).collect();
    let files: Vec<(&str, &[u8])> =
        names.iter().map(String::as_str).zip(objects.iter().map(Vec::as_slice)).collect();
    let args: Vec<&str> = names.iter().map(String::as_str).collect();
    library::link_relocatable(&files, &args).map_err(|e| {
        CompileError::new(
            ErrorKind::Link,
            format!("merging the compiled parts: {}", e.message),
            None,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::{costliest_first, part_count, split};
    use crate::translate::Partition;

    #[test]
    fn small_modules_and_single_jobs_stay_whole() {
        assert_eq!(part_count(0, 0, 8, 4096), 1);
        assert_eq!(part_count(5000, 10, 8, 4096), 1);
        assert_eq!(part_count(20_000, 10, 8, 4096), 4);
        assert_eq!(part_count(1_000_000, 100, 2, 4096), 8);
        assert_eq!(part_count(1_000_000, 100, 1, 4096), 1);
    }

    #[test]
    fn modules_of_many_small_functions_get_fewer_parts() {
        // 72 per function: 8 bytes of code and the fixed cost.
        assert_eq!(part_count(72 * 50_000, 50_000, 2, 4096), 4);
        assert_eq!(part_count(72 * 50_000, 50_000, 4, 4096), 4);
        assert_eq!(part_count(20 * 50_000, 50_000, 2, 4096), 2);
    }

    #[test]
    fn unoptimised_modules_get_extra_parts_only_when_big() {
        assert_eq!(part_count(100_000, 100, 2, 64 * 1024), 2);
        assert_eq!(part_count(1_000_000, 100, 2, 64 * 1024), 8);
    }

    #[test]
    fn parts_are_contiguous_bounded_and_non_empty() {
        assert_eq!(split(&[], 4), vec![0..0]);
        assert_eq!(split(&[10, 10, 10, 10], 2), vec![0..2, 2..4]);
        assert_eq!(split(&[100, 1, 1, 1], 2), vec![0..1, 1..4]);
        // A function costing more than a share stands alone.
        assert_eq!(split(&[1, 1000, 1], 3), vec![0..1, 1..2, 2..3]);
        assert_eq!(split(&[3, 3, 8, 2], 2), vec![0..2, 2..3, 3..4]);
        assert_eq!(split(&[1000, 1, 1], 3), vec![0..1, 1..3]);
        // Fewer functions than parts leaves fewer parts, none empty.
        assert_eq!(split(&[5, 5], 4096), vec![0..1, 1..2]);
    }

    #[test]
    fn the_costliest_parts_go_first() {
        let costs = [5, 1, 9, 2, 2];
        let partitions: Vec<Partition> = split(&costs, 3)
            .into_iter()
            .map(|bodies| Partition { bodies, is_first: false, is_split: true })
            .collect();
        let ranges: Vec<_> = partitions.iter().map(|p| p.bodies.clone()).collect();
        assert_eq!(ranges, vec![0..2, 2..3, 3..5]);
        assert_eq!(costliest_first(&partitions, &costs), vec![1, 0, 2]);
    }
}

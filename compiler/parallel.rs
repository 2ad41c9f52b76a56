//! Compiling one module on several cores: the defined functions are split into contiguous parts
//! of similar code size, each part is translated, optimised and emitted by its own thread with
//! its own LLVM context, and the objects are linked relocatably, in part order, into one object.
//! The split depends only on the module and the number of jobs, so the output is the same on
//! every run.

use crate::capi::Surface;
use crate::error::{CompileError, ErrorKind};
use crate::frontend::ModuleInfo;
use crate::translate::{self, Partition};
use crate::{codegen, library, Emit, Options};
use std::ops::Range;

/// Environment variable overriding the number of parts (`1` compiles on one thread).
pub const JOBS_VARIABLE: &str = "WASM2NATIVE_JOBS";

/// Code bytes below which another part costs more (thread, context, link) than it saves.
const MIN_PART_BYTES: usize = 8 * 1024;

/// Translates, optimises and emits `info` as `emit` asks, in as many parts as its size and the
/// jobs allow; `record` and `api` go into the first part.
pub fn compile_module(
    info: &ModuleInfo<'_>,
    record: &str,
    options: &Options,
    emit: Emit,
    api: Option<&Surface>,
) -> Result<Vec<u8>, CompileError> {
    let sizes: Vec<usize> = info.bodies.iter().map(|body| body.get_binary_reader().bytes_remaining()).collect();
    // Assembly and IR stay one file, to be read as one.
    let parts = match emit {
        Emit::Object => part_count(sizes.iter().sum(), jobs()?),
        Emit::Assembly | Emit::LlvmIr => 1,
    };
    let ranges = split(&sizes, parts);
    let is_split = ranges.len() > 1;
    let partitions: Vec<Partition> = ranges
        .into_iter()
        .enumerate()
        .map(|(index, bodies)| Partition { bodies, is_first: index == 0, is_split })
        .collect();
    if !is_split {
        return compile_part(info, record, options, emit, api, &partitions[0]);
    }
    let objects = std::thread::scope(|scope| {
        let threads: Vec<_> = partitions
            .iter()
            .map(|partition| scope.spawn(move || compile_part(info, record, options, emit, api, partition)))
            .collect();
        threads
            .into_iter()
            .map(|thread| thread.join().unwrap_or_else(|_| Err(CompileError::backend("a compile thread panicked"))))
            .collect::<Result<Vec<Vec<u8>>, CompileError>>()
    })?;
    merge(&objects)
}

/// Translates one part in a context of its own, then optimises and emits it.
fn compile_part(
    info: &ModuleInfo<'_>,
    record: &str,
    options: &Options,
    emit: Emit,
    api: Option<&Surface>,
    partition: &Partition,
) -> Result<Vec<u8>, CompileError> {
    let context = inkwell::context::Context::create();
    let module = translate::translate_module(&context, info, record, options.bounds_checks, api, partition)?;
    codegen::emit(&module, options, emit)
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

/// How many parts `total_bytes` of code splits into with `jobs` jobs: one per job, but none
/// smaller than `MIN_PART_BYTES` on average.
fn part_count(total_bytes: usize, jobs: usize) -> usize {
    jobs.min(total_bytes.div_ceil(MIN_PART_BYTES)).max(1)
}

/// Splits the functions of code sizes `sizes` into at most `parts` non-empty contiguous ranges
/// of similar total size (always at least one range, empty when there are no functions).
fn split(sizes: &[usize], parts: usize) -> Vec<Range<usize>> {
    let total: usize = sizes.iter().sum();
    let mut ranges = Vec::with_capacity(parts);
    let mut start = 0;
    let mut running = 0;
    for (index, &size) in sizes.iter().enumerate() {
        // Sizes are scaled by `parts`: a part ends where the parts so far hold their share of
        // the total. Where one function crosses that share, the cut goes on the side of it
        // nearer the share, so that a big function does not always land in the earlier part.
        let share = total * (ranges.len() + 1);
        let before = running * parts;
        let after = (running + size) * parts;
        if ranges.len() + 1 < parts && index > start && after >= share && share.saturating_sub(before) < after - share {
            ranges.push(start..index);
            start = index;
        }
        running += size;
        if ranges.len() + 1 < parts && running * parts >= total * (ranges.len() + 1) {
            ranges.push(start..index + 1);
            start = index + 1;
        }
    }
    if start < sizes.len() || ranges.is_empty() {
        ranges.push(start..sizes.len());
    }
    ranges
}

/// Links the parts' objects into one relocatable object, in part order.
fn merge(objects: &[Vec<u8>]) -> Result<Vec<u8>, CompileError> {
    let names: Vec<String> = (0..objects.len()).map(|index| format!("part{index}.o")).collect();
    let files: Vec<(&str, &[u8])> = names.iter().map(String::as_str).zip(objects.iter().map(Vec::as_slice)).collect();
    let args: Vec<&str> = names.iter().map(String::as_str).collect();
    library::link_relocatable(&files, &args)
        .map_err(|e| CompileError::backend(format!("linking the parts: {}", e.message)))
}

#[cfg(test)]
mod tests {
    use super::{part_count, split};

    #[test]
    fn small_modules_stay_whole() {
        assert_eq!(part_count(0, 8), 1);
        assert_eq!(part_count(5000, 8), 1);
        assert_eq!(part_count(20_000, 8), 3);
        assert_eq!(part_count(1_000_000, 2), 2);
    }

    #[test]
    fn parts_are_contiguous_balanced_and_non_empty() {
        assert_eq!(split(&[], 4), vec![0..0]);
        assert_eq!(split(&[10, 10, 10, 10], 2), vec![0..2, 2..4]);
        assert_eq!(split(&[100, 1, 1, 1], 2), vec![0..1, 1..4]);
        // A big function crossing a part's share starts the next part when that is nearer.
        assert_eq!(split(&[1, 1000, 1], 3), vec![0..1, 1..2, 2..3]);
        assert_eq!(split(&[3, 3, 8, 2], 2), vec![0..2, 2..4]);
        assert_eq!(split(&[1000, 1, 1], 3), vec![0..1, 1..2, 2..3]);
        // Fewer functions than parts leaves fewer parts, none empty.
        assert_eq!(split(&[5, 5], 4), vec![0..1, 1..2]);
    }
}

//! Turning checks into verdicts and the printed report: a per-file table, the first failures of
//! each file, the superseded checks, and re-blessing of the expected-failure list.

use crate::expectations::{Entry, Expectations, List, Verdict};
use crate::jobs::CheckRecord;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// The checks of one (file, opt level, bounds checks, relaxed SIMD) run. Expectations are per
/// opt level: a check is expected to behave alike whatever the bounds checks and relaxed SIMD.
pub struct JobOutcome {
    pub file: String,
    pub opt: &'static str,
    /// `explicit` or `guard`.
    pub bounds: &'static str,
    /// `native` or `deterministic`.
    pub relaxed_simd: &'static str,
    pub checks: Vec<CheckRecord>,
}

impl JobOutcome {
    /// How the run is named in the report: the opt level, then `guard` for guard-mode runs and
    /// `determ` for deterministic relaxed SIMD.
    fn label(&self) -> String {
        let mut label = self.opt.to_string();
        if self.bounds != "explicit" {
            label += &format!(" {}", self.bounds);
        }
        if self.relaxed_simd != "native" {
            label += " determ";
        }
        label
    }
}

#[derive(Default)]
struct Counts {
    passed: usize,
    failed: usize,
    expected_failures: usize,
    superseded: usize,
}

pub struct Totals {
    pub passed: usize,
    pub failed: usize,
}

/// How many failure details to show per file unless `SPEC_VERBOSE` is set.
const DETAILS_PER_FILE: usize = 5;

pub fn print_report(outcomes: &[JobOutcome], expectations: &Expectations, verbose: bool) -> Totals {
    let mut table = String::new();
    let mut details = String::new();
    let mut superseded = String::new();
    let mut totals = Counts::default();
    let width = outcomes.iter().map(|o| o.file.len()).max().unwrap_or(4).max(4);
    let _ = writeln!(
        table,
        "{:width$}  {:9}  {:>7}  {:>7}  {:>13}  {:>10}",
        "file", "opt", "passed", "failed", "expected-fail", "superseded"
    );
    for outcome in outcomes {
        let mut counts = Counts::default();
        let mut shown = 0;
        for check in &outcome.checks {
            let passed = check.failure.is_none();
            let verdict = expectations.verdict(&outcome.file, check.line, outcome.opt, passed);
            let location =
                format!("{}:{} [{}] {}", outcome.file, check.line, outcome.label(), check.command);
            match verdict {
                Verdict::Passed => counts.passed += 1,
                Verdict::ExpectedFailure => counts.expected_failures += 1,
                Verdict::Superseded => {
                    counts.superseded += 1;
                    let how = if passed { "passes" } else { "fails" };
                    let reason = expectations
                        .superseded
                        .find(&outcome.file, check.line, outcome.opt)
                        .map_or("", |e| e.reason.as_str());
                    let _ = writeln!(superseded, "  {location}: {how} ({reason})");
                }
                Verdict::Failed | Verdict::UnexpectedPass => {
                    counts.failed += 1;
                    if verbose || shown < DETAILS_PER_FILE {
                        shown += 1;
                        let _ = writeln!(details, "  {location}: {}", describe(check, verdict));
                    }
                }
            }
        }
        if shown < counts.failed {
            let _ = writeln!(
                details,
                "  {} [{}]: {} more failures (SPEC_VERBOSE=1 shows all)",
                outcome.file,
                outcome.label(),
                counts.failed - shown
            );
        }
        let _ = writeln!(
            table,
            "{:width$}  {:9}  {:>7}  {:>7}  {:>13}  {:>10}",
            outcome.file,
            outcome.label(),
            counts.passed,
            counts.failed,
            counts.expected_failures,
            counts.superseded
        );
        totals.passed += counts.passed;
        totals.failed += counts.failed;
        totals.expected_failures += counts.expected_failures;
        totals.superseded += counts.superseded;
    }
    let _ = writeln!(
        table,
        "{:width$}  {:9}  {:>7}  {:>7}  {:>13}  {:>10}",
        "total", "", totals.passed, totals.failed, totals.expected_failures, totals.superseded
    );
    print!("{table}");
    if !details.is_empty() {
        println!("\nfailures:\n{details}");
    }
    if !superseded.is_empty() {
        println!("\nsuperseded by Wasm 2.0 (not counted as passed):\n{superseded}");
    }
    print_stale_entries(outcomes, &expectations.failures);
    Totals { passed: totals.passed, failed: totals.failed }
}

fn describe(check: &CheckRecord, verdict: Verdict) -> String {
    match (&check.failure, verdict) {
        (_, Verdict::UnexpectedPass) => format!(
            "listed as an expected failure but passes: remove it from {}",
            crate::expectations::EXPECTED_FAILURES
        ),
        (Some((expected, actual)), _) => {
            format!("expected {}; got {}", printable(expected), printable(actual))
        }
        (None, _) => "failed".to_string(),
    }
}

/// One line whatever the message holds: control characters (names.wast has plenty, parse
/// errors have newlines) are escaped.
fn printable(text: &str) -> String {
    text.chars()
        .flat_map(|c| {
            let escaped: Vec<char> =
                if c.is_control() { c.escape_default().collect() } else { vec![c] };
            escaped
        })
        .collect()
}

/// Expected failures on files that ran but matched no check (the suite moved, or the run
/// stopped early): worth a look, not a failure.
fn print_stale_entries(outcomes: &[JobOutcome], failures: &List) {
    let seen: BTreeSet<(&str, usize, &str)> = outcomes
        .iter()
        .flat_map(|o| o.checks.iter().map(move |c| (o.file.as_str(), c.line, o.opt)))
        .collect();
    let ran: BTreeSet<(&str, &str)> = outcomes.iter().map(|o| (o.file.as_str(), o.opt)).collect();
    for entry in &failures.entries {
        for &(file, opt) in ran.iter().filter(|(f, o)| *f == entry.file && entry.applies_to(o)) {
            if !seen.contains(&(file, entry.line, opt)) {
                println!("note: expected failure {} [{opt}] matched no check", entry.to_line());
            }
        }
    }
}

/// Rewrites the expected-failure list so it says exactly what failed in this run, for the
/// (file, opt) pairs that ran; entries of other files and levels are kept, and so are reasons.
pub fn bless(outcomes: &[JobOutcome], expectations: &Expectations) -> Result<List, String> {
    // (file, line) -> opt -> reason, with `*` expanded into both levels.
    let mut entries: BTreeMap<(String, usize), BTreeMap<String, String>> = BTreeMap::new();
    for entry in &expectations.failures.entries {
        let opts: &[&str] = if entry.opt == "*" { &["O0", "O2"] } else { &[entry.opt.as_str()] };
        for opt in opts {
            let slot = entries.entry((entry.file.clone(), entry.line)).or_default();
            slot.insert(opt.to_string(), entry.reason.clone());
        }
    }
    let ran: BTreeSet<(&str, &str)> = outcomes.iter().map(|o| (o.file.as_str(), o.opt)).collect();
    for ((file, _), opts) in entries.iter_mut() {
        opts.retain(|opt, _| !ran.contains(&(file.as_str(), opt.as_str())));
    }
    for outcome in outcomes {
        for check in &outcome.checks {
            let Some((_, actual)) = &check.failure else {
                continue;
            };
            if expectations.superseded.find(&outcome.file, check.line, outcome.opt).is_some() {
                continue;
            }
            let old_reason = expectations
                .failures
                .find(&outcome.file, check.line, outcome.opt)
                .map(|e| e.reason.clone());
            let reason = old_reason.unwrap_or_else(|| {
                let short: String = actual.chars().take(100).collect();
                format!("{}: {}", check.command, short.replace('\n', " "))
            });
            let slot = entries.entry((outcome.file.clone(), check.line)).or_default();
            slot.insert(outcome.opt.to_string(), reason);
        }
    }
    let mut list = List::empty(&expectations.failures.path);
    let mut text = String::from(
        "# Spec checks known to fail: DIR/FILE.wast:LINE O0|O2|* reason\n\
         # A listed check that passes fails the run; SPEC_BLESS=1 rewrites this file.\n",
    );
    for ((file, line), opts) in entries {
        let merged: Vec<(String, String)> = match (opts.get("O0"), opts.get("O2")) {
            (Some(o0), Some(_)) => vec![("*".to_string(), o0.clone())],
            _ => opts.into_iter().collect(),
        };
        for (opt, reason) in merged {
            let entry = Entry { file: file.clone(), line, opt, reason };
            let _ = writeln!(text, "{}", entry.to_line());
            list.push(entry);
        }
    }
    std::fs::write(&list.path, text).map_err(|e| format!("{}: {e}", list.path.display()))?;
    Ok(list)
}

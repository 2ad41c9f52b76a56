//! The two lists that say which checks are not expected to pass, kept as data beside the tests:
//! `tests/spec-expected-failures.txt` (known failures, to shrink) and `tests/spec-superseded.txt`
//! (1.0 assertions whose meaning Wasm 2.0 changed). Lines read
//! `DIR/FILE.wast:LINE O0|O2|* reason`; `#` starts a comment.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub const EXPECTED_FAILURES: &str = "tests/spec-expected-failures.txt";
pub const SUPERSEDED: &str = "tests/spec-superseded.txt";

#[derive(Clone, Debug)]
pub struct Entry {
    /// `DIR/FILE.wast`, e.g. `wasm-v1/linking.wast`.
    pub file: String,
    pub line: usize,
    /// `O0`, `O2` or `*` for both.
    pub opt: String,
    pub reason: String,
}

impl Entry {
    pub fn applies_to(&self, opt: &str) -> bool {
        self.opt == "*" || self.opt == opt
    }

    pub fn to_line(&self) -> String {
        format!("{}:{} {} {}", self.file, self.line, self.opt, self.reason)
    }
}

/// One list, indexed by file and line.
#[derive(Default)]
pub struct List {
    pub path: PathBuf,
    pub entries: Vec<Entry>,
    by_location: HashMap<(String, usize), Vec<usize>>,
}

impl List {
    pub fn empty(path: &Path) -> List {
        List { path: path.to_path_buf(), ..List::default() }
    }

    /// Reads a list; a missing file is an empty list, a malformed line an error.
    pub fn load(path: &Path) -> Result<List, String> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(format!("{}: {e}", path.display())),
        };
        let mut list = List::empty(path);
        for (number, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let entry = parse_entry(line).ok_or_else(|| {
                format!("{}:{}: cannot read \"{raw}\"", path.display(), number + 1)
            })?;
            list.push(entry);
        }
        Ok(list)
    }

    pub fn push(&mut self, entry: Entry) {
        let key = (entry.file.clone(), entry.line);
        self.by_location.entry(key).or_default().push(self.entries.len());
        self.entries.push(entry);
    }

    pub fn find(&self, file: &str, line: usize, opt: &str) -> Option<&Entry> {
        let indices = self.by_location.get(&(file.to_string(), line))?;
        indices.iter().map(|&i| &self.entries[i]).find(|e| e.applies_to(opt))
    }
}

fn parse_entry(line: &str) -> Option<Entry> {
    let mut words = line.splitn(3, char::is_whitespace);
    let location = words.next()?;
    let opt = words.next()?.trim();
    let reason = words.next().unwrap_or("").trim().to_string();
    let (file, line_number) = location.rsplit_once(':')?;
    if !matches!(opt, "O0" | "O2" | "*") || !file.ends_with(".wast") {
        return None;
    }
    Some(Entry {
        file: file.to_string(),
        line: line_number.parse().ok()?,
        opt: opt.to_string(),
        reason,
    })
}

/// How a check counts once the lists have had their say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Passed,
    Failed,
    ExpectedFailure,
    /// Listed as an expected failure but passed: the list must shrink, so this fails the run.
    UnexpectedPass,
    Superseded,
}

pub struct Expectations {
    pub failures: List,
    pub superseded: List,
}

impl Expectations {
    pub fn load(root: &Path) -> Result<Expectations, String> {
        Ok(Expectations {
            failures: List::load(&root.join(EXPECTED_FAILURES))?,
            superseded: List::load(&root.join(SUPERSEDED))?,
        })
    }

    pub fn verdict(&self, file: &str, line: usize, opt: &str, passed: bool) -> Verdict {
        if self.superseded.find(file, line, opt).is_some() {
            return Verdict::Superseded;
        }
        match (self.failures.find(file, line, opt).is_some(), passed) {
            (false, true) => Verdict::Passed,
            (false, false) => Verdict::Failed,
            (true, false) => Verdict::ExpectedFailure,
            (true, true) => Verdict::UnexpectedPass,
        }
    }
}

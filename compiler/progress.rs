//! The progress line of a long compile: `compiling: DONE/TOTAL functions` on stderr, rewritten
//! in place, shown only when stderr is a terminal and only once the compile has run for
//! `QUIET_PERIOD`, and cleared when the compile ends. Workers report finished functions through
//! a `Reporter`; one display thread owns the terminal line.

use std::io::{IsTerminal, Write};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

/// Compiles shorter than this show nothing.
const QUIET_PERIOD: Duration = Duration::from_secs(1);

/// How often the line is redrawn at most.
const REDRAW_INTERVAL: Duration = Duration::from_millis(100);

/// Where workers report how many functions they have finished.
pub struct Reporter {
    sender: Option<Sender<usize>>,
}

impl Reporter {
    /// Counts `functions` more functions as done.
    pub fn add(&self, functions: usize) {
        if let Some(sender) = &self.sender {
            // The display thread only goes away once every sender is dropped, so this cannot
            // fail while `self` lives; a lost update would only make the line lag.
            let _ = sender.send(functions);
        }
    }
}

/// Runs `work` with a reporter for `total` functions; the line is drawn only when `enabled` and
/// stderr is a terminal, and is gone from the terminal when this returns.
pub fn with_progress<T: Send>(total: usize, enabled: bool, work: impl FnOnce(&Reporter) -> T) -> T {
    if !enabled || !std::io::stderr().is_terminal() {
        return work(&Reporter { sender: None });
    }
    let started = Instant::now();
    let (sender, receiver) = mpsc::channel::<usize>();
    std::thread::scope(|scope| {
        scope.spawn(move || display(total, started, receiver));
        let reporter = Reporter { sender: Some(sender) };
        let result = work(&reporter);
        // Dropping the last sender tells the display thread to clear the line and stop.
        drop(reporter);
        result
    })
}

/// Draws the line from `QUIET_PERIOD` after `started` until every sender is gone, then clears it.
fn display(total: usize, started: Instant, receiver: mpsc::Receiver<usize>) {
    let mut done = 0;
    let mut drawn: Option<(usize, usize)> = None;
    loop {
        let wait = QUIET_PERIOD.saturating_sub(started.elapsed()).max(REDRAW_INTERVAL);
        match receiver.recv_timeout(wait) {
            Ok(functions) => {
                done += functions;
                // Drain what else is queued so that a burst of reports draws once.
                done += receiver.try_iter().sum::<usize>();
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => break,
        }
        if started.elapsed() >= QUIET_PERIOD && drawn.map(|(shown, _)| shown) != Some(done) {
            let line = format!("compiling: {done}/{total} functions");
            drawn = Some((done, line.len()));
            write_stderr(&format!("\r{line}"));
        }
    }
    if let Some((_, width)) = drawn {
        write_stderr(&format!("\r{}\r", " ".repeat(width)));
    }
}

/// Progress is a courtesy: a terminal that refuses it must not fail the compile.
fn write_stderr(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(text.as_bytes());
    let _ = stderr.flush();
}

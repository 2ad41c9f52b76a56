//! What a program is granted (--dir, --env, --inherit-env), checked and written as the launch
//! options string its `main` reads (runtime-lib/src/main.h): words split as a POSIX shell would.

use clap::Args;
use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

#[derive(Args)]
pub struct Grants {
    /// Grant the program host directory HOST, seen inside as GUEST (default: HOST); repeatable.
    ///
    /// HOST is kept as given: a relative one is resolved against the working directory the
    /// program runs in. With the suffix `:readonly` the program may read and list everything
    /// under the directory but change nothing: creating, writing, truncating, renaming,
    /// linking, removing and setting times are refused with EPERM.
    #[arg(long = "dir", value_name = "HOST[::GUEST][:readonly]")]
    pub dirs: Vec<OsString>,
    /// Set NAME=VALUE in the program's environment; repeatable.
    #[arg(long = "env", value_name = "NAME=VALUE")]
    pub env: Vec<OsString>,
    /// Pass the environment the program starts in on to it (the --env entries override).
    #[arg(long)]
    pub inherit_env: bool,
}

impl Grants {
    /// The launch options for these grants and, when given, the export to invoke; empty when
    /// there is nothing to grant. Errors name the flag at fault.
    pub fn launch_options(&self, invoke: Option<&OsStr>) -> Result<Vec<u8>, String> {
        let mut words: Vec<&OsStr> = Vec::new();
        for dir in &self.dirs {
            check_dir(dir)?;
            words.extend([OsStr::new("--dir"), dir]);
        }
        for entry in &self.env {
            check_env(entry)?;
            words.extend([OsStr::new("--env"), entry]);
        }
        if self.inherit_env {
            words.push(OsStr::new("--inherit-env"));
        }
        if let Some(name) = invoke {
            words.extend([OsStr::new("--invoke"), name]);
        }
        let quoted: Vec<Vec<u8>> = words.iter().map(|word| quote(word.as_bytes())).collect();
        Ok(quoted.join(&b' '))
    }
}

/// Ends a read-only grant; the runtime's W2N_READ_ONLY_SUFFIX (runtime-lib/src/main.h).
const READ_ONLY_SUFFIX: &[u8] = b":readonly";

/// HOST[::GUEST][:readonly], split where the runtime splits it: the suffix first, then at the
/// first "::".
fn check_dir(spec: &OsStr) -> Result<(), String> {
    let bytes = spec.as_bytes();
    let bytes = bytes.strip_suffix(READ_ONLY_SUFFIX).unwrap_or(bytes);
    let (host, guest) = match bytes.windows(2).position(|pair| pair == b"::") {
        Some(at) => (&bytes[..at], Some(&bytes[at + 2..])),
        None => (bytes, None),
    };
    let shown = spec.to_string_lossy();
    if host.is_empty() {
        return Err(format!("--dir {shown}: names no host directory"));
    }
    if guest.is_some_and(<[u8]>::is_empty) {
        return Err(format!("--dir {shown}: no guest path after '::'"));
    }
    let host = Path::new(OsStr::from_bytes(host));
    if !host.is_dir() {
        return Err(format!("--dir {}: no such directory", host.display()));
    }
    Ok(())
}

fn check_env(entry: &OsStr) -> Result<(), String> {
    match entry.as_bytes().iter().position(|&b| b == b'=') {
        Some(name_length) if name_length > 0 => Ok(()),
        _ => Err(format!(
            "--env {}: expected NAME=VALUE with a non-empty NAME",
            entry.to_string_lossy()
        )),
    }
}

/// `word` in single quotes, each embedded quote written '\'' (close, escaped quote, reopen).
fn quote(word: &[u8]) -> Vec<u8> {
    let mut quoted = vec![b'\''];
    for &byte in word {
        match byte {
            b'\'' => quoted.extend_from_slice(b"'\\''"),
            _ => quoted.push(byte),
        }
    }
    quoted.push(b'\'');
    quoted
}

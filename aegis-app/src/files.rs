//! Files a command writes: never one it reads or keeps, and never half written.
//!
//! Every output path is compared (after resolving links, by path and by inode) with every path
//! the command reads or keeps — its input, the key file, the vault, the store and the store's
//! write-ahead log — and refused when it is one of them. Outputs are written to a temporary
//! file beside the target and renamed over it only when complete, so a command that fails
//! half way leaves the old file as it was. A path that exists and is not a regular file
//! (`/dev/null`, a FIFO) is written in place: a rename would replace the device itself.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::AppError;

/// A path a command reads or keeps, and what it is to the command (`the input`, `the key
/// file`, …), for the error that refuses to write over it.
#[derive(Debug, Clone)]
pub struct Kept {
    path: PathBuf,
    role: String,
}

impl Kept {
    /// `path`, which is `role` to the command.
    pub fn new(path: &Path, role: &str) -> Kept {
        Kept {
            path: path.to_path_buf(),
            role: role.to_owned(),
        }
    }

    /// The path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A store and the files SQLite keeps beside it (`-wal`, `-shm`, `-journal`).
    pub fn store(path: &Path) -> Vec<Kept> {
        let mut kept = vec![Kept::new(path, "the store")];
        for suffix in ["-wal", "-shm", "-journal"] {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            kept.push(Kept::new(Path::new(&p), "the store's log"));
        }
        kept.push(Kept::new(
            &crate::phi::store_key_file(path),
            "the store's key file",
        ));
        kept
    }
}

/// `path` made absolute with its links resolved: the file itself when it exists, else its
/// directory (resolved) and its name. `-` (standard input or output) resolves to nothing.
fn resolved(path: &Path) -> Option<PathBuf> {
    if path.as_os_str() == "-" {
        return None;
    }
    if let Ok(p) = path.canonicalize() {
        return Some(p);
    }
    let name = path.file_name()?;
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    Some(parent.canonicalize().ok()?.join(name))
}

/// Whether two existing paths are the same file (hard links included).
#[cfg(unix)]
fn same_inode(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_inode(_: &Path, _: &Path) -> bool {
    false
}

/// What a command writes, for the error that refuses it: `what` it is (`results`, `the
/// vault`…) and the option that named it (`--output`).
#[derive(Debug, Clone, Copy)]
pub struct Written<'a> {
    /// What it is.
    pub what: &'a str,
    /// The option that named it.
    pub flag: &'a str,
}

/// Refuses `output` when it is one of the `kept` paths (or a link to one).
pub fn refuse_overwrite(
    output: &Path,
    kept: &[Kept],
    written: Written<'_>,
) -> Result<(), AppError> {
    let Some(out) = resolved(output) else {
        return Ok(());
    };
    for k in kept {
        let same_path = resolved(&k.path).is_some_and(|p| p == out);
        if same_path || same_inode(output, &k.path) {
            return Err(AppError::Io {
                context: format!(
                    "refusing to write {} over {} {}",
                    written.what,
                    k.role,
                    k.path.display()
                ),
                source: io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    format!("choose another {}", written.flag),
                ),
            });
        }
    }
    Ok(())
}

/// An output being written: standard output, or a temporary file that becomes `path` only
/// when [`Output::commit`] is called.
pub struct Output {
    target: Target,
}

enum Target {
    Stdout(BufWriter<io::Stdout>),
    /// Something that is not a regular file (`/dev/null`, a FIFO, a terminal): written in
    /// place, since renaming a file over it would replace the device itself.
    Special(BufWriter<std::fs::File>),
    File {
        temp: BufWriter<tempfile::NamedTempFile>,
        path: PathBuf,
    },
}

impl Output {
    /// Standard output.
    pub fn stdout() -> Output {
        Output {
            target: Target::Stdout(BufWriter::new(io::stdout())),
        }
    }

    /// `path` (`-` is standard output), after checking it is none of `kept`. Nothing is
    /// written to `path` itself until [`Output::commit`].
    pub fn create(path: &Path, kept: &[Kept], written: Written<'_>) -> Result<Output, AppError> {
        if path.as_os_str() == "-" {
            return Ok(Output::stdout());
        }
        refuse_overwrite(path, kept, written)?;
        let cannot = |source| AppError::Io {
            context: format!("cannot create {}", path.display()),
            source,
        };
        if path.is_dir() {
            return Err(cannot(io::Error::new(
                io::ErrorKind::IsADirectory,
                "it is a directory",
            )));
        }
        if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .map_err(cannot)?;
            return Ok(Output {
                target: Target::Special(BufWriter::new(file)),
            });
        }
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let temp = tempfile::Builder::new()
            .prefix(".aegis-")
            .suffix(".partial")
            .tempfile_in(&dir)
            .map_err(cannot)?;
        Ok(Output {
            target: Target::File {
                temp: BufWriter::new(temp),
                path: path.to_path_buf(),
            },
        })
    }

    /// Writes everything and, for a file, puts it in place (a rename: readers see the old file
    /// or the new one, never half of it).
    pub fn commit(self) -> Result<(), AppError> {
        match self.target {
            Target::Stdout(mut out) => Ok(out.flush()?),
            Target::Special(mut out) => Ok(out.flush()?),
            Target::File { temp, path } => {
                let cannot = |source| AppError::Io {
                    context: format!("cannot write {}", path.display()),
                    source,
                };
                let temp = temp.into_inner().map_err(|e| cannot(e.into_error()))?;
                temp.as_file().sync_all().map_err(cannot)?;
                temp.persist(&path).map_err(|e| cannot(e.error))?;
                Ok(())
            }
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.target {
            Target::Stdout(out) => out.write(buf),
            Target::Special(out) => out.write(buf),
            Target::File { temp, .. } => temp.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.target {
            Target::Stdout(out) => out.flush(),
            Target::Special(out) => out.flush(),
            Target::File { temp, .. } => temp.flush(),
        }
    }
}

/// Writes `bytes` to `path` as [`Output`] does: checked against `kept`, complete or not at all.
pub fn write_file(
    path: &Path,
    bytes: &[u8],
    kept: &[Kept],
    written: Written<'_>,
) -> Result<(), AppError> {
    let mut out = Output::create(path, kept, written)?;
    out.write_all(bytes)?;
    out.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    const W: Written<'static> = Written {
        what: "results",
        flag: "--output",
    };

    #[test]
    fn an_output_over_a_kept_file_or_a_link_to_it_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join("key.txt");
        std::fs::write(&key, "secret").unwrap();
        let kept = [Kept::new(&key, "the key file")];
        let err = Output::create(&key, &kept, W).err().unwrap();
        assert!(err.to_string().contains("the key file"), "{err}");
        #[cfg(unix)]
        {
            let link = dir.path().join("link.txt");
            std::os::unix::fs::symlink(&key, &link).unwrap();
            assert!(Output::create(&link, &kept, W).is_err());
            let hard = dir.path().join("hard.txt");
            std::fs::hard_link(&key, &hard).unwrap();
            assert!(Output::create(&hard, &kept, W).is_err());
        }
        // Through another spelling of the same path.
        let other = dir.path().join(".").join("key.txt");
        assert!(Output::create(&other, &kept, W).is_err());
        assert_eq!(std::fs::read_to_string(&key).unwrap(), "secret");
        // A store's log, before it exists.
        let store = dir.path().join("s.db");
        let wal = dir.path().join("s.db-wal");
        assert!(Output::create(&wal, &Kept::store(&store), W).is_err());
        assert!(Output::create(&dir.path().join("out.jsonl"), &kept, W).is_ok());
    }

    #[test]
    fn an_output_appears_only_when_committed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        std::fs::write(&path, "old").unwrap();
        let mut out = Output::create(&path, &[], W).unwrap();
        out.write_all(b"new").unwrap();
        out.flush().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        drop(out);
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "old",
            "dropped: the old file stays"
        );
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1, "the temporary file is removed");
        let mut out = Output::create(&path, &[], W).unwrap();
        out.write_all(b"new").unwrap();
        out.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
    }

    /// `-o /dev/null` as root once renamed a regular file over `/dev/null`, and every later
    /// reader of `/dev/null` on the machine read what had been written to it.
    #[cfg(unix)]
    #[test]
    fn a_device_is_written_in_place_never_replaced() {
        use std::os::unix::fs::FileTypeExt;
        let null = Path::new("/dev/null");
        let mut out = Output::create(null, &[], W).unwrap();
        out.write_all(b"results").unwrap();
        out.commit().unwrap();
        let kind = std::fs::metadata(null).unwrap().file_type();
        assert!(kind.is_char_device(), "/dev/null is still a device");
        assert_eq!(std::fs::read(null).unwrap().len(), 0);
        // A FIFO: the reader gets the bytes, and the FIFO stays one.
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|s| s.success()) {
            return; // no mkfifo on this machine: the device case above still ran
        }
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read(&fifo).unwrap())
        };
        let mut out = Output::create(&fifo, &[], W).unwrap();
        out.write_all(b"through the pipe").unwrap();
        out.commit().unwrap();
        assert_eq!(reader.join().unwrap(), b"through the pipe");
        assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
    }
}

//! Copying one zip member into a file: inflate, check, hash and write in one pass.
//!
//! Unpacking is the bulk of a cold install (the jupyter set is 12,000
//! files, 200 MB), so this path is kept lean. The `zip` crate finds each
//! member's compressed bytes; inflating them is done here with one raw
//! deflate state and two buffers (an [`Extractor`]) reused for every member
//! of every wheel, instead of a fresh decoder (tens of kilobytes, zeroed)
//! per member. A member that fits in the output buffer (most of them) is
//! written with a single `write`, and its bytes are hashed (sha256, for the
//! `RECORD` check) and CRC-checked on their way out, so nothing is read
//! twice. The output buffer is small enough to stay in the CPU's cache
//! between inflating, hashing and copying into the page cache.
//!
//! The checks the `zip` crate would make are made here too: the CRC-32 and
//! the uncompressed size in the central directory must match what comes
//! out, and output beyond the declared size stops the member at once (a
//! zip bomb cannot fill the disk). Encrypted members and compression
//! methods other than stored and deflate (the only ones wheels use) are
//! refused.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::Path;

use flate2::{Decompress, FlushDecompress, Status};
use sha2::{Digest, Sha256};
use zip::CompressionMethod;
use zip::read::ZipFile;

use crate::error::{InstallError, IoContext};

/// Compressed bytes are read in pieces of this size.
const INPUT_SIZE: usize = 64 * 1024;
/// Files up to this size are written with one `write`; larger ones in
/// pieces of this size.
const OUTPUT_SIZE: usize = 128 * 1024;

/// What came out of a member.
pub(crate) struct Extracted {
    pub size: u64,
    pub sha256: Sha256,
}

/// Why a member could not be extracted.
pub(crate) enum ExtractError {
    /// The member's data is broken or unsupported (the wheel's fault).
    Invalid(String),
    /// Writing the file failed (the machine's fault).
    Io(InstallError),
}

/// An inflater and its buffers, reused member after member.
pub(crate) struct Extractor {
    inflater: Decompress,
    input: Vec<u8>,
    output: Vec<u8>,
}

impl Extractor {
    pub(crate) fn new() -> Self {
        Self {
            inflater: Decompress::new(false),
            input: vec![0; INPUT_SIZE],
            output: vec![0; OUTPUT_SIZE],
        }
    }

    /// Writes `member`'s contents to a new file at `target` (executable
    /// when `executable`), checking its CRC-32 and size against the central
    /// directory; returns its size and sha256.
    pub(crate) fn extract<R: Read>(
        &mut self,
        member: &mut ZipFile<'_, R>,
        target: &Path,
        executable: bool,
    ) -> Result<Extracted, ExtractError> {
        if member.encrypted() {
            return Err(ExtractError::Invalid("it is encrypted".into()));
        }
        let method = member.compression();
        if !matches!(
            method,
            CompressionMethod::Stored | CompressionMethod::Deflated
        ) {
            return Err(ExtractError::Invalid(format!(
                "it uses the {method} compression method; wheels use deflate or none"
            )));
        }
        let file = create_file(target, executable).map_err(ExtractError::Io)?;
        let mut sink = Sink {
            file,
            target,
            declared: member.size(),
            written: 0,
            sha256: Sha256::new(),
            crc: crc32fast::Hasher::new(),
        };
        let expected_crc = member.crc32();
        match method {
            CompressionMethod::Deflated => self.inflate(member, &mut sink)?,
            _ => self.copy(member, &mut sink)?,
        }
        if sink.written != sink.declared {
            return Err(ExtractError::Invalid(format!(
                "its header says {} bytes, its data holds {}",
                sink.declared, sink.written
            )));
        }
        let crc = sink.crc.finalize();
        if crc != expected_crc {
            return Err(ExtractError::Invalid(format!(
                "its CRC-32 is {crc:08x}, the archive says {expected_crc:08x}"
            )));
        }
        Ok(Extracted {
            size: sink.written,
            sha256: sink.sha256,
        })
    }
}

#[cfg(unix)]
fn create_file(target: &Path, executable: bool) -> Result<File, InstallError> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    // The mode is set at creation (the umask applies, as for any new file),
    // not by a second call.
    options.mode(if executable { 0o777 } else { 0o666 });
    options.open(target).ctx("create", target)
}

#[cfg(not(unix))]
fn create_file(target: &Path, _executable: bool) -> Result<File, InstallError> {
    OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(target)
        .ctx("create", target)
}

/// Where a member's bytes go: the file, the hashes and the size check.
struct Sink<'a> {
    file: File,
    target: &'a Path,
    declared: u64,
    written: u64,
    sha256: Sha256,
    crc: crc32fast::Hasher,
}

impl Sink<'_> {
    fn put(&mut self, bytes: &[u8]) -> Result<(), ExtractError> {
        if bytes.is_empty() {
            return Ok(());
        }
        self.written += bytes.len() as u64;
        if self.written > self.declared {
            return Err(ExtractError::Invalid(format!(
                "it holds more than the {} bytes its header says",
                self.declared
            )));
        }
        self.sha256.update(bytes);
        self.crc.update(bytes);
        self.file
            .write_all(bytes)
            .ctx("write", self.target)
            .map_err(ExtractError::Io)
    }
}

impl Extractor {
    fn copy(&mut self, member: &mut impl Read, sink: &mut Sink<'_>) -> Result<(), ExtractError> {
        loop {
            let n = read_some(member, &mut self.output)?;
            if n == 0 {
                return Ok(());
            }
            sink.put(&self.output[..n])?;
        }
    }

    fn inflate(&mut self, member: &mut impl Read, sink: &mut Sink<'_>) -> Result<(), ExtractError> {
        self.inflater.reset(false);
        let (mut start, mut end, mut eof) = (0, 0, false);
        let mut filled = 0;
        loop {
            if start == end && !eof {
                end = read_some(member, &mut self.input)?;
                start = 0;
                eof = end == 0;
            }
            let (in_before, out_before) = (self.inflater.total_in(), self.inflater.total_out());
            let flush = if eof {
                FlushDecompress::Finish
            } else {
                FlushDecompress::None
            };
            let status = self
                .inflater
                .decompress(&self.input[start..end], &mut self.output[filled..], flush)
                .map_err(|e| ExtractError::Invalid(format!("its data is corrupt ({e})")))?;
            // Both counts are bounded by the slices just passed in.
            let consumed = (self.inflater.total_in() - in_before) as usize;
            let produced = (self.inflater.total_out() - out_before) as usize;
            start += consumed;
            filled += produced;
            let done = status == Status::StreamEnd;
            if done || filled == self.output.len() {
                sink.put(&self.output[..filled])?;
                filled = 0;
            }
            if done {
                return Ok(());
            }
            if consumed == 0 && produced == 0 {
                if eof {
                    // A stream cut short without its end marker: accepted
                    // as Python's zipfile does; the size and CRC checks
                    // still catch missing bytes.
                    sink.put(&self.output[..filled])?;
                    return Ok(());
                }
                if start < end {
                    return Err(ExtractError::Invalid("its data is corrupt".into()));
                }
            }
        }
    }
}

fn read_some(reader: &mut impl Read, buf: &mut [u8]) -> Result<usize, ExtractError> {
    loop {
        match reader.read(buf) {
            Ok(n) => return Ok(n),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                return Err(ExtractError::Invalid(format!(
                    "its data cannot be read ({e})"
                )));
            }
        }
    }
}

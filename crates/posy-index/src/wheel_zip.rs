//! Finding and reading a wheel's `METADATA` from pieces of its zip file.
//!
//! A zip file ends with its table of contents: the end-of-central-directory
//! record (EOCD, plus the zip64 locator and record for large archives)
//! points at the central directory, which lists every member with its
//! compressed size and the offset of its local header. So the metadata of
//! a remote wheel can be read with two small reads instead of the whole
//! file: the tail (which holds the directory, and often the
//! `.dist-info/` members too, since wheel builders write them last), then
//! the `METADATA` member's local header and data. This module is the pure
//! half: it parses byte slices and says which byte ranges it needs next.
//! [`crate::lazy_wheel`] does the reading, over HTTP ranges or a local file.
//!
//! A member's extent is taken as "from its local header to the next
//! member's local header (or the directory)": the local header's extra
//! field may differ from the central one, so its exact size is only known
//! after reading it, and the next offset bounds it without a guess.
//!
//! Only `stored` and `deflate` members are supported (the wheel spec allows
//! nothing else in practice), the CRC-32 is checked, and the inflated size
//! is capped so a hostile archive cannot exhaust memory.

use std::io::Read;

use posy_vocab::PackageName;

/// Refuse METADATA bigger than this (the largest on the public index are a
/// few hundred KiB of long description).
const MAX_METADATA: u64 = 16 * 1024 * 1024;

const EOCD_SIG: u32 = 0x0605_4b50;
const ZIP64_LOCATOR_SIG: u32 = 0x0706_4b50;
const ZIP64_EOCD_SIG: u32 = 0x0606_4b50;
const CENTRAL_SIG: u32 = 0x0201_4b50;
const LOCAL_SIG: u32 = 0x0403_4b50;

/// One member of the archive, as the central directory describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Member {
    pub name: String,
    pub method: u16,
    pub crc32: u32,
    pub compressed_size: u64,
    pub uncompressed_size: u64,
    pub local_header_offset: u64,
}

/// The parsed central directory.
#[derive(Debug)]
pub(crate) struct Directory {
    pub members: Vec<Member>,
    /// Where the central directory starts: the end of the last member.
    pub offset: u64,
}

/// The result of looking at the tail of a file.
#[derive(Debug)]
pub(crate) enum TailRead {
    Complete(Directory),
    /// The directory starts before the tail; read from `from`. `partial`
    /// holds the members whose directory entries the tail did contain
    /// (the last ones, which in a wheel usually include `.dist-info/`), so
    /// the caller may find METADATA without reading the rest.
    NeedFrom {
        from: u64,
        partial: Directory,
    },
}

/// Parses the central directory from `tail`, the bytes from `tail_start`
/// to the end of a file of `file_len` bytes.
pub(crate) fn read_directory(
    tail: &[u8],
    tail_start: u64,
    file_len: u64,
) -> Result<TailRead, String> {
    let eocd = find_eocd(tail)
        .ok_or("no end-of-central-directory record (not a zip file, or truncated)")?;
    let r = &tail[eocd..];
    let mut entries = u64::from(le16(r, 10));
    let mut cd_size = u64::from(le32(r, 12));
    let mut cd_offset = u64::from(le32(r, 16));
    if entries == 0xFFFF || cd_size == 0xFFFF_FFFF || cd_offset == 0xFFFF_FFFF {
        // Zip64: the locator sits just before the EOCD.
        let locator = eocd.checked_sub(20).ok_or("zip64 locator missing")?;
        if le32(tail, locator) != ZIP64_LOCATOR_SIG {
            return Err("zip64 locator missing".into());
        }
        let record_offset = le64(tail, locator + 8);
        if record_offset < tail_start {
            return Ok(TailRead::NeedFrom {
                from: record_offset,
                partial: Directory {
                    members: Vec::new(),
                    offset: record_offset,
                },
            });
        }
        let at =
            usize::try_from(record_offset - tail_start).map_err(|_| "zip64 record out of range")?;
        if at + 56 > tail.len() || le32(tail, at) != ZIP64_EOCD_SIG {
            return Err("zip64 end-of-central-directory record missing".into());
        }
        entries = le64(tail, at + 32);
        cd_size = le64(tail, at + 40);
        cd_offset = le64(tail, at + 48);
    }
    if cd_offset
        .checked_add(cd_size)
        .is_none_or(|end| end > file_len)
    {
        return Err("central directory lies outside the file".into());
    }
    if cd_offset < tail_start {
        let available = usize::try_from(cd_offset + cd_size - tail_start)
            .map_err(|_| "directory out of range")?;
        let members = tail.get(..available).map(scan_partial).unwrap_or_default();
        return Ok(TailRead::NeedFrom {
            from: cd_offset,
            partial: Directory {
                members,
                offset: cd_offset,
            },
        });
    }
    let start = usize::try_from(cd_offset - tail_start).map_err(|_| "directory out of range")?;
    let end = start + usize::try_from(cd_size).map_err(|_| "directory too large")?;
    let cd = tail.get(start..end).ok_or("central directory truncated")?;
    let members = parse_central(cd, entries)?;
    Ok(TailRead::Complete(Directory {
        members,
        offset: cd_offset,
    }))
}

/// The entries of a central directory whose beginning is cut off: the
/// longest run of well-formed entries that ends exactly at the end of
/// `cd`. Requiring the run to end exactly where the directory ends rules
/// out a signature that merely occurs inside a cut-off entry's name.
fn scan_partial(cd: &[u8]) -> Vec<Member> {
    let signature = CENTRAL_SIG.to_le_bytes();
    for start in 0..cd.len().saturating_sub(45) {
        if cd[start..start + 4] != signature {
            continue;
        }
        let mut at = start;
        while at + 46 <= cd.len() && le32(cd, at) == CENTRAL_SIG {
            at += 46
                + usize::from(le16(cd, at + 28))
                + usize::from(le16(cd, at + 30))
                + usize::from(le16(cd, at + 32));
        }
        if at == cd.len() {
            return parse_central(&cd[start..], u64::MAX).unwrap_or_default();
        }
    }
    Vec::new()
}

/// The last EOCD signature whose comment length fits the remaining bytes.
fn find_eocd(tail: &[u8]) -> Option<usize> {
    let last = tail.len().checked_sub(22)?;
    (0..=last).rev().find(|&i| {
        le32(tail, i) == EOCD_SIG && i + 22 + usize::from(le16(tail, i + 20)) <= tail.len()
    })
}

fn parse_central(mut cd: &[u8], entries: u64) -> Result<Vec<Member>, String> {
    let mut members = Vec::with_capacity(usize::try_from(entries.min(65_536)).unwrap_or(0));
    while cd.len() >= 46 && le32(cd, 0) == CENTRAL_SIG {
        let method = le16(cd, 10);
        let crc32 = le32(cd, 16);
        let mut compressed_size = u64::from(le32(cd, 20));
        let mut uncompressed_size = u64::from(le32(cd, 24));
        let name_len = usize::from(le16(cd, 28));
        let extra_len = usize::from(le16(cd, 30));
        let comment_len = usize::from(le16(cd, 32));
        let mut local_header_offset = u64::from(le32(cd, 42));
        let total = 46 + name_len + extra_len + comment_len;
        if cd.len() < total {
            return Err("central directory entry truncated".into());
        }
        let name = String::from_utf8_lossy(&cd[46..46 + name_len]).into_owned();
        let mut extra = &cd[46 + name_len..46 + name_len + extra_len];
        while extra.len() >= 4 {
            let id = le16(extra, 0);
            let size = usize::from(le16(extra, 2));
            let Some(data) = extra.get(4..4 + size) else {
                break;
            };
            if id == 0x0001 {
                // Zip64 extended information: only the fields that were
                // saturated in the fixed part are present, in this order.
                let mut at = 0;
                for field in [
                    &mut uncompressed_size,
                    &mut compressed_size,
                    &mut local_header_offset,
                ] {
                    if *field == 0xFFFF_FFFF && at + 8 <= data.len() {
                        *field = le64(data, at);
                        at += 8;
                    }
                }
            }
            extra = &extra[4 + size..];
        }
        members.push(Member {
            name,
            method,
            crc32,
            compressed_size,
            uncompressed_size,
            local_header_offset,
        });
        cd = &cd[total..];
    }
    if members.is_empty() {
        return Err("the central directory lists no members".into());
    }
    Ok(members)
}

/// The `<name>-<version>.dist-info/METADATA` member of the wheel named
/// `wheel_filename`. When several `.dist-info` directories exist, the one
/// whose name matches the wheel's is chosen, as PEP 427 installers do.
pub(crate) fn find_metadata<'a>(
    directory: &'a Directory,
    wheel_filename: &str,
) -> Result<&'a Member, String> {
    let candidates: Vec<&Member> = directory
        .members
        .iter()
        .filter(|m| {
            m.name
                .strip_suffix(".dist-info/METADATA")
                .is_some_and(|dir| !dir.is_empty() && !dir.contains('/'))
        })
        .collect();
    let name_of = |s: &str| PackageName::new(s.split('-').next().unwrap_or("")).ok();
    let wanted = name_of(wheel_filename);
    match candidates.as_slice() {
        [] => Err("it has no .dist-info/METADATA".into()),
        [only] => Ok(only),
        many => many
            .iter()
            .copied()
            .find(|m| wanted.is_some() && name_of(&m.name) == wanted)
            .ok_or_else(|| {
                "it has several .dist-info directories and none matches its name".into()
            }),
    }
}

/// The byte range `[start, end)` holding `member`'s local header and data:
/// up to the next member's local header, and never more than the largest
/// local header (30 bytes plus a name and an extra field of at most 64 KiB
/// each) plus the data, so a partial directory cannot make it huge.
pub(crate) fn member_extent(directory: &Directory, member: &Member) -> (u64, u64) {
    let start = member.local_header_offset;
    let next = directory
        .members
        .iter()
        .map(|m| m.local_header_offset)
        .filter(|&o| o > start)
        .min()
        .unwrap_or(directory.offset);
    let largest = start
        .saturating_add(30 + 2 * 65_535)
        .saturating_add(member.compressed_size);
    (start, next.min(largest).max(start))
}

/// Decompresses `member` from `bytes`, which start at its local header.
pub(crate) fn extract(member: &Member, bytes: &[u8]) -> Result<Vec<u8>, String> {
    if bytes.len() < 30 || le32(bytes, 0) != LOCAL_SIG {
        return Err(format!("no local header for {}", member.name));
    }
    if member.uncompressed_size > MAX_METADATA {
        return Err(format!(
            "{} is {} bytes, more than posy accepts",
            member.name, member.uncompressed_size
        ));
    }
    let data_start = 30 + usize::from(le16(bytes, 26)) + usize::from(le16(bytes, 28));
    let len = usize::try_from(member.compressed_size).map_err(|_| "member too large")?;
    let data = bytes
        .get(data_start..data_start.saturating_add(len))
        .ok_or_else(|| format!("{} is truncated", member.name))?;
    let out = match member.method {
        0 => data.to_vec(),
        8 => {
            let mut out =
                Vec::with_capacity(usize::try_from(member.uncompressed_size).unwrap_or(0));
            flate2::read::DeflateDecoder::new(data)
                .take(MAX_METADATA + 1)
                .read_to_end(&mut out)
                .map_err(|e| format!("{} does not inflate: {e}", member.name))?;
            out
        }
        other => {
            return Err(format!(
                "{} uses compression method {other}, which wheels may not use",
                member.name
            ));
        }
    };
    if out.len() as u64 != member.uncompressed_size {
        return Err(format!("{} inflated to the wrong size", member.name));
    }
    let mut crc = flate2::Crc::new();
    crc.update(&out);
    if crc.sum() != member.crc32 {
        return Err(format!("{} fails its CRC check", member.name));
    }
    Ok(out)
}

fn le16(b: &[u8], at: usize) -> u16 {
    b.get(at..at + 2)
        .map_or(0, |s| u16::from_le_bytes([s[0], s[1]]))
}

fn le32(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4)
        .map_or(0, |s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
}

fn le64(b: &[u8], at: usize) -> u64 {
    b.get(at..at + 8).map_or(0, |s| {
        let mut a = [0; 8];
        a.copy_from_slice(s);
        u64::from_le_bytes(a)
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::Write;

    /// A wheel-shaped zip with a big member before the metadata.
    pub(crate) fn sample_wheel(metadata: &str, padding: usize) -> Vec<u8> {
        let mut buffer = std::io::Cursor::new(Vec::new());
        {
            let mut zip = zip::ZipWriter::new(&mut buffer);
            let deflated = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            let stored = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Stored);
            zip.start_file("demo/__init__.py", stored).unwrap();
            let noise: Vec<u8> = (0..padding).map(|i| (i * 7919 % 251) as u8).collect();
            zip.write_all(&noise).unwrap();
            zip.start_file("demo-1.0.dist-info/METADATA", deflated)
                .unwrap();
            zip.write_all(metadata.as_bytes()).unwrap();
            zip.start_file("demo-1.0.dist-info/WHEEL", deflated)
                .unwrap();
            zip.write_all(b"Wheel-Version: 1.0\n").unwrap();
            zip.start_file("demo-1.0.dist-info/RECORD", deflated)
                .unwrap();
            zip.write_all(b"").unwrap();
            zip.finish().unwrap();
        }
        buffer.into_inner()
    }

    fn metadata_from(bytes: &[u8], tail_len: usize) -> Result<Vec<u8>, String> {
        let tail_start = bytes.len().saturating_sub(tail_len);
        let directory =
            match read_directory(&bytes[tail_start..], tail_start as u64, bytes.len() as u64)? {
                TailRead::Complete(d) => d,
                TailRead::NeedFrom { from, .. } => {
                    match read_directory(&bytes[from as usize..], from, bytes.len() as u64)? {
                        TailRead::Complete(d) => d,
                        TailRead::NeedFrom { .. } => panic!("asked twice"),
                    }
                }
            };
        let member = find_metadata(&directory, "demo-1.0-py3-none-any.whl")?;
        let (start, end) = member_extent(&directory, member);
        extract(member, &bytes[start as usize..end as usize])
    }

    #[test]
    fn reads_metadata_from_tail_and_from_a_second_range() {
        let text = "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n";
        let wheel = sample_wheel(text, 100_000);
        assert_eq!(metadata_from(&wheel, 64 * 1024).unwrap(), text.as_bytes());
        // A tail too short for the directory asks for more.
        assert_eq!(metadata_from(&wheel, 30).unwrap(), text.as_bytes());
    }

    #[test]
    fn a_partial_directory_still_finds_metadata() {
        let text = "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n";
        // Many small members before the dist-info ones make a directory
        // larger than the tail.
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        for i in 0..2000 {
            zip.start_file(format!("demo/module_{i:05}.py"), options)
                .unwrap();
            zip.write_all(b"x = 1\n").unwrap();
        }
        zip.start_file("demo-1.0.dist-info/METADATA", options)
            .unwrap();
        zip.write_all(text.as_bytes()).unwrap();
        zip.start_file("demo-1.0.dist-info/RECORD", options)
            .unwrap();
        let wheel = zip.finish().unwrap().into_inner();
        let tail_start = wheel.len() - 4096;
        let TailRead::NeedFrom { from, partial } =
            read_directory(&wheel[tail_start..], tail_start as u64, wheel.len() as u64).unwrap()
        else {
            panic!("the directory is larger than the tail");
        };
        assert!(from < tail_start as u64);
        assert!(!partial.members.is_empty() && partial.members.len() < 2002);
        let member = find_metadata(&partial, "demo-1.0-py3-none-any.whl").unwrap();
        let (start, end) = member_extent(&partial, member);
        assert_eq!(
            extract(member, &wheel[start as usize..end as usize]).unwrap(),
            text.as_bytes()
        );
    }

    #[test]
    fn picks_the_matching_dist_info() {
        let directory = Directory {
            members: [
                "other-1.0.dist-info/METADATA",
                "Demo_Pkg-1.0.dist-info/METADATA",
                "x/y.dist-info/METADATA",
            ]
            .iter()
            .enumerate()
            .map(|(i, name)| Member {
                name: (*name).into(),
                method: 0,
                crc32: 0,
                compressed_size: 0,
                uncompressed_size: 0,
                local_header_offset: i as u64 * 100,
            })
            .collect(),
            offset: 300,
        };
        let member = find_metadata(&directory, "demo.pkg-1.0-py3-none-any.whl").unwrap();
        assert_eq!(member.name, "Demo_Pkg-1.0.dist-info/METADATA");
        assert_eq!(member_extent(&directory, member), (100, 200));
        assert!(find_metadata(&directory, "third-1.0-py3-none-any.whl").is_err());
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(read_directory(b"", 0, 0).is_err());
        assert!(read_directory(b"PK\x05\x06", 0, 4).is_err());
        let mut fake = vec![0u8; 22];
        fake[..4].copy_from_slice(&EOCD_SIG.to_le_bytes());
        fake[12..16].copy_from_slice(&1000u32.to_le_bytes());
        assert!(read_directory(&fake, 0, 22).is_err());
        let wheel = sample_wheel("Name: demo\n", 10);
        let mut corrupt = wheel.clone();
        let len = corrupt.len();
        // Flip a byte inside the compressed metadata: CRC or inflate fails.
        let at = corrupt.windows(8).position(|w| w == b"METADATA").unwrap() + 8;
        corrupt[at + 2] ^= 0xFF;
        let _ = metadata_from(&corrupt, len);
    }
}

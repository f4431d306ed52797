//! Environments that survive anything: an install, upgrade or uninstall
//! killed at any step leaves an environment that the next command brings
//! to exactly the asked-for set, every `.dist-info` complete.
//!
//! The kills are of two kinds: `POSY_FAILPOINT=step[:n]` aborts posy at a
//! named step (after the journal is written, after the n-th file linked,
//! before and after a `RECORD`, after the n-th file removed, before the
//! commit), and real SIGKILLs at instants spread over an upgrade.

mod common;

use std::collections::BTreeSet;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{Env, World};
use posy_testkit::{Index, Package};

/// `count` packages at versions 1.0 and 2.0, each with `files` modules, a
/// console script and a data file, and two that only one side has.
fn versions(count: usize, files: usize) -> Index {
    let mut index = Index::new();
    for i in 0..count {
        for version in ["1.0", "2.0"] {
            let name = format!("pkg{i}");
            let mut package = Package::new(&name, version)
                .entry_point(
                    "console_scripts",
                    &format!("tool{i}"),
                    &format!("{name}:main"),
                )
                .data_file("data", &format!("share/{name}.txt"), version);
            package = package.file(&format!("{name}/__init__.py"), format!("V = '{version}'\n"));
            for f in 0..files {
                package = package.file(&format!("{name}/mod{f}.py"), format!("# {version} {f}\n"));
            }
            if version == "1.0" {
                package = package.file(&format!("{name}/only_old.py"), "");
            }
            index = index.package(package);
        }
    }
    index
        .package(Package::new("gone", "1.0").file("gone.py", ""))
        .package(Package::new("new", "1.0").file("new.py", ""))
}

fn pins(count: usize, version: &str, other: &str) -> String {
    let mut text: String = (0..count).map(|i| format!("pkg{i}=={version}\n")).collect();
    text.push_str(&format!("{other}==1.0\n"));
    text
}

/// What the environment holds, and a check that every `.dist-info` is
/// complete: it has a RECORD, every file the RECORD lists exists, and no
/// name is installed twice.
#[track_caller]
fn assert_exactly(env: &Env, count: usize, version: &str, other: &str) {
    let mut want: Vec<String> = (0..count)
        .map(|i| format!("pkg{i}-{version}.dist-info"))
        .collect();
    want.push(format!("{other}-1.0.dist-info"));
    want.sort();
    assert_eq!(env.dist_infos(), want);
    let site = env.site_packages();
    for dist_info in env.dist_infos() {
        let record = site.join(&dist_info).join("RECORD");
        let text = std::fs::read_to_string(&record)
            .unwrap_or_else(|e| panic!("{dist_info} has no RECORD: {e}"));
        for line in text.lines() {
            let path = line.split(',').next().unwrap();
            assert!(
                site.join(path).exists(),
                "{dist_info}: RECORD lists {path}, which is missing"
            );
        }
    }
    // The old version's own file went with it; the new one's data is in.
    let old_only: BTreeSet<bool> = (0..count)
        .map(|i| site.join(format!("pkg{i}/only_old.py")).exists())
        .collect();
    assert_eq!(old_only, BTreeSet::from([version == "1.0"]));
    assert!(!env.path.join(".posy-transaction.json").exists());
}

#[test]
fn a_kill_at_every_step_of_an_upgrade_is_repaired_by_the_next_sync() {
    const COUNT: usize = 4;
    let index = versions(COUNT, 3).serve();
    let world = World::with_index(&index);
    let env = world.venv("env");
    world.write("old.txt", &pins(COUNT, "1.0", "gone"));
    world.write("new.txt", &pins(COUNT, "2.0", "new"));
    let steps = [
        "journal-written",
        "link:1",
        "link:4",
        "link:13",
        "before-record:1",
        "record-written:2",
        "uninstall:1",
        "uninstall:7",
        "before-commit",
    ];
    for step in steps {
        world.pip_ok(&["sync", "old.txt", "--python", env.arg()]);
        assert_exactly(&env, COUNT, "1.0", "gone");
        let args = world.pip_args(&["sync", "new.txt", "--python", env.arg()]);
        let killed = world
            .command(&args.iter().map(String::as_str).collect::<Vec<_>>())
            .env("POSY_FAILPOINT", step)
            .output()
            .unwrap();
        assert!(
            !killed.status.success(),
            "failpoint {step} was not reached:\n{}",
            common::stderr(&killed)
        );
        let run = world.pip_ok(&["sync", "new.txt", "--python", env.arg()]);
        assert!(
            run.stderr.contains("Finished an interrupted change"),
            "{step}: {}",
            run.stderr
        );
        assert_exactly(&env, COUNT, "2.0", "new");
        assert_eq!(env.python_ok("import pkg0; print(pkg0.V)"), "2.0", "{step}");
        world.pip_ok(&["check", "--python", env.arg()]);
    }
}

#[test]
fn a_killed_uninstall_is_finished_by_the_next_command() {
    let index = versions(3, 2).serve();
    let world = World::with_index(&index);
    let env = world.venv("env");
    world.write("old.txt", &pins(3, "1.0", "gone"));
    world.pip_ok(&["sync", "old.txt", "--python", env.arg()]);
    let killed = world
        .command(&["pip", "uninstall", "pkg0", "pkg1", "--python", env.arg()])
        .env("POSY_FAILPOINT", "uninstall:5")
        .output()
        .unwrap();
    assert!(!killed.status.success());
    // Any changing command finishes the removal first.
    let run = world.pip_ok(&["install", "gone", "--python", env.arg()]);
    assert!(run.stderr.contains("removed pkg0==1.0"), "{}", run.stderr);
    assert_eq!(
        env.dist_infos(),
        ["gone-1.0.dist-info", "pkg2-1.0.dist-info"]
    );
    assert!(!env.site_packages().join("pkg0").exists());
    assert!(!env.site_packages().join("pkg1").exists());
}

#[test]
fn a_half_installed_distribution_without_a_journal_is_reinstalled() {
    // Another tool (or an older posy) died mid-install: a .dist-info with
    // no RECORD beside the complete old one.
    let index = versions(2, 1).serve();
    let world = World::with_index(&index);
    let env = world.venv("env");
    world.write("old.txt", &pins(2, "1.0", "gone"));
    world.write("new.txt", &pins(2, "2.0", "new"));
    world.pip_ok(&["sync", "old.txt", "--python", env.arg()]);
    let half = env.site_packages().join("pkg0-2.0.dist-info");
    std::fs::create_dir(&half).unwrap();
    std::fs::write(
        half.join("METADATA"),
        "Metadata-Version: 2.1\nName: pkg0\nVersion: 2.0\n",
    )
    .unwrap();
    // Syncing to the old set removes the half-installed copy too.
    world.pip_ok(&["sync", "old.txt", "--python", env.arg()]);
    assert_exactly(&env, 2, "1.0", "gone");
    std::fs::create_dir(&half).unwrap();
    std::fs::write(
        half.join("METADATA"),
        "Metadata-Version: 2.1\nName: pkg0\nVersion: 2.0\n",
    )
    .unwrap();
    world.pip_ok(&["sync", "new.txt", "--python", env.arg()]);
    assert_exactly(&env, 2, "2.0", "new");
}

#[test]
fn real_sigkills_spread_over_an_upgrade_are_all_repaired() {
    const COUNT: usize = 30;
    let index = versions(COUNT, 20).serve();
    let world = World::with_index(&index);
    let env = world.venv("env");
    world.write("old.txt", &pins(COUNT, "1.0", "gone"));
    world.write("new.txt", &pins(COUNT, "2.0", "new"));
    // Warm the cache with both sets, and time an upgrade.
    world.pip_ok(&["sync", "new.txt", "--python", env.arg()]);
    world.pip_ok(&["sync", "old.txt", "--python", env.arg()]);
    let started = Instant::now();
    world.pip_ok(&["sync", "new.txt", "--python", env.arg()]);
    let upgrade = started.elapsed();
    let args = world.pip_args(&["sync", "new.txt", "--python", env.arg()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut repaired = 0;
    for k in 0..20u32 {
        world.pip_ok(&["sync", "old.txt", "--python", env.arg()]);
        let mut child = world
            .command(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(upgrade * k / 20 + Duration::from_millis(u64::from(k % 3)));
        let _ = child.kill();
        let status = child.wait().unwrap();
        let run = world.pip_ok(&["sync", "new.txt", "--python", env.arg()]);
        if !status.success() && run.stderr.contains("Finished an interrupted change") {
            repaired += 1;
        }
        assert_exactly(&env, COUNT, "2.0", "new");
    }
    // Most kills land inside the change (the rest before it or after).
    assert!(repaired > 0, "no kill landed inside a change");
}

#[test]
fn two_concurrent_installs_into_one_environment_both_land() {
    let index = versions(6, 5).serve();
    let world = World::with_index(&index);
    let env = world.venv("env");
    // Warm the cache so that the two runs overlap in the environment.
    let warm = world.venv("warm");
    world.pip_ok(&[
        "install",
        "pkg0",
        "pkg1",
        "pkg2",
        "pkg3",
        "pkg4",
        "pkg5",
        "--python",
        warm.arg(),
    ]);
    let spawn = |names: &[&str]| {
        let mut args = vec!["install"];
        args.extend_from_slice(names);
        args.extend(["--python", env.arg()]);
        let args = world.pip_args(&args);
        world
            .command(&args.iter().map(String::as_str).collect::<Vec<_>>())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let first = spawn(&["pkg0", "pkg1", "pkg2"]);
    let second = spawn(&["pkg3", "pkg4", "pkg5", "pkg0==1.0"]);
    let first = first.wait_with_output().unwrap();
    let second = second.wait_with_output().unwrap();
    assert!(first.status.success(), "{}", common::stderr(&first));
    assert!(second.status.success(), "{}", common::stderr(&second));
    let names: BTreeSet<String> = env
        .dist_infos()
        .iter()
        .map(|d| d.split('-').next().unwrap().to_string())
        .collect();
    assert_eq!(
        names,
        ["pkg0", "pkg1", "pkg2", "pkg3", "pkg4", "pkg5"]
            .map(String::from)
            .into()
    );
    assert_eq!(env.dist_infos().len(), 6, "{:?}", env.dist_infos());
    world.pip_ok(&["check", "--python", env.arg()]);
}

/// A small tmpfs mounted for one test, unmounted when dropped. Mounting
/// needs root, which CI and the development machines have; elsewhere the
/// test fails rather than pass without checking anything.
struct SmallDisk(std::path::PathBuf);

impl SmallDisk {
    fn mount(at: std::path::PathBuf, size: &str) -> SmallDisk {
        std::fs::create_dir_all(&at).unwrap();
        let status = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&at)
            .status()
            .expect("run mount");
        assert!(
            status.success(),
            "mounting a tmpfs needs root; this test checks a full disk for real"
        );
        SmallDisk(at)
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_gives_a_clear_error_and_a_usable_environment() {
    // Random bytes do not compress: the wheel is small to download but
    // its module takes 6 MB, more than the disk has.
    let mut noise = vec![0u8; 6 << 20];
    let mut state = 0x2545_f491_4f6c_dd1du64;
    for byte in &mut noise {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        *byte = state as u8;
    }
    let index = Index::new()
        .package(Package::new("small", "1.0").file("small.py", "V = 1\n"))
        .package(Package::new("small", "2.0").file("small.py", "V = 2\n"))
        .package(Package::new("big", "1.0").file("big.bin", &noise))
        .serve();
    let world = World::with_index(&index);
    let disk = SmallDisk::mount(world.root.join("disk"), "4m");
    world.ok(&["venv", "disk/env"]);
    let env = Env::at(disk.0.join("env"));
    world.pip_ok(&["install", "small==1.0", "--python", env.arg()]);

    let args = world.pip_args(&["install", "small==2.0", "big", "--python", env.arg()]);
    let full = world
        .command(&args.iter().map(String::as_str).collect::<Vec<_>>())
        .output()
        .unwrap();
    let stderr = common::stderr(&full);
    assert!(!full.status.success(), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.contains("No space left on device"), "{stderr}");
    assert!(stderr.contains("big"), "{stderr}");
    // Every distribution left is complete, nothing is half-done, and the
    // environment still works.
    assert!(!env.path.join(".posy-transaction.json").exists());
    for dist_info in env.dist_infos() {
        assert!(
            env.site_packages().join(&dist_info).join("RECORD").exists(),
            "{dist_info}"
        );
    }
    assert!(!env.dist_infos().iter().any(|d| d.starts_with("big")));
    world.pip_ok(&["check", "--python", env.arg()]);
    world.pip_ok(&["list", "--python", env.arg()]);
    // With the big one left out, the change goes through.
    world.pip_ok(&["install", "small==2.0", "--python", env.arg()]);
    assert_eq!(env.python_ok("import small; print(small.V)"), "2");
}

#[test]
fn a_broken_dist_info_is_reported_by_check_and_does_not_stop_other_commands() {
    let index = versions(1, 1).serve();
    let world = World::with_index(&index);
    let env = world.venv("env");
    world.pip_ok(&["install", "pkg0", "--python", env.arg()]);
    let junk = env.site_packages().join("not a name.dist-info");
    std::fs::create_dir(&junk).unwrap();
    let list = world.pip_ok(&["list", "--python", env.arg()]);
    assert!(list.stdout.contains("pkg0"), "{}", list.stdout);
    world.pip_ok(&["install", "gone", "--python", env.arg()]);
    let check = world.pip(&["check", "--python", env.arg()]);
    let stderr = common::stderr(&check);
    assert_eq!(check.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("not a name.dist-info"), "{stderr}");
}

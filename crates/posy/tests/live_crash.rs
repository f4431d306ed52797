//! Twenty real SIGKILLs spread over an upgrade of the jupyter set (about a
//! hundred packages from the public index, many of them moving to newer
//! versions), each followed by a sync: every one must end with exactly the
//! new set, every `.dist-info` complete, and `pip check` clean.
//!
//! Part of the live suite: it needs the public index, so it runs with
//! `POSY_LIVE=1` (as CI runs it) and fails without that variable rather than
//! pass without checking anything; `cargo test` alone leaves it out
//! (`#[ignore]`), and `.ci/run` runs the ignored live tests too.

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use common::World;

fn require_live() {
    assert_eq!(
        std::env::var("POSY_LIVE").as_deref(),
        Ok("1"),
        "this test needs the public index: run it with POSY_LIVE=1"
    );
}

#[test]
#[ignore = "live: needs the public index; runs with POSY_LIVE=1 (CI runs it)"]
fn twenty_sigkills_spread_over_a_jupyter_upgrade_are_all_repaired() {
    require_live();
    let world = World::new();
    world.write("jupyter.in", "jupyter\n");
    // The same set a year apart: most pins move.
    for (out, date) in [
        ("old.txt", "2025-06-01T00:00:00Z"),
        ("new.txt", "2026-11-01T00:00:00Z"),
    ] {
        world.ok(&[
            "pip",
            "compile",
            "jupyter.in",
            "--python-version",
            "3.11",
            "--exclude-newer",
            date,
            "-o",
            out,
        ]);
    }
    let env = world.venv("env");
    let sync = |file: &str| world.ok(&["pip", "sync", file, "--python", env.arg()]);
    // Warm the cache with both sets, and time the upgrade.
    sync("new.txt");
    sync("old.txt");
    let started = Instant::now();
    sync("new.txt");
    let upgrade = started.elapsed();
    let expected = env.dist_infos();

    let mut inside = 0;
    for k in 0..20u32 {
        sync("old.txt");
        let mut child = world
            .command(&["pip", "sync", "new.txt", "--python", env.arg()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(upgrade * k / 20 + Duration::from_millis(u64::from(k % 4)));
        let _ = child.kill();
        let killed = !child.wait().unwrap().success();
        let run = sync("new.txt");
        if killed && run.stderr.contains("Finished an interrupted change") {
            inside += 1;
        }
        assert_eq!(env.dist_infos(), expected, "kill {k}");
        for dist_info in env.dist_infos() {
            assert!(
                env.site_packages().join(&dist_info).join("RECORD").exists(),
                "kill {k}: {dist_info} has no RECORD"
            );
        }
        world.ok(&["pip", "check", "--python", env.arg()]);
    }
    assert!(inside > 0, "no kill landed inside the change");
}

# posy's interpreter probe: run once per interpreter (the result is cached),
# print one JSON object on stdout describing the interpreter.
#
# Keep this file parseable by Python 2 so that an old interpreter reports
# "unsupported" cleanly instead of a SyntaxError. Import nothing outside the
# standard library, and nothing slow. It runs as `python -E -s -S -c SCRIPT`
# (-I would be better but Python 2 rejects it), so first drop the current
# directory from the import path: a stray json.py there must not be imported.
# -S skips `site` (and the .pth files it runs, which can cost tens of
# milliseconds); the one thing `site` does that matters here, applying
# pyvenv.cfg to sys.prefix, is done by apply_pyvenv_cfg below. The answer is
# one JSON line, printed last.
import sys

sys.path = [entry for entry in sys.path if entry]

import json
import os
import platform
import struct


def apply_pyvenv_cfg():
    # What site.venv() does to the prefixes, without its side effects: if a
    # pyvenv.cfg sits beside the executable or one directory up, this
    # interpreter runs a virtual environment rooted above its bin directory.
    # It must run before sysconfig is imported, which reads sys.prefix once.
    executable = sys.executable
    if sys.platform == "darwin" and "__PYVENV_LAUNCHER__" in os.environ:
        executable = os.environ["__PYVENV_LAUNCHER__"]
    exe_dir = os.path.dirname(os.path.abspath(executable))
    site_prefix = os.path.dirname(exe_dir)
    for folder in (exe_dir, site_prefix):
        if os.path.isfile(os.path.join(folder, "pyvenv.cfg")):
            sys.prefix = sys.exec_prefix = site_prefix
            return


apply_pyvenv_cfg()

import sysconfig  # noqa: E402 (after the prefixes are final)


def config_var(name):
    value = sysconfig.get_config_var(name)
    if value is None or isinstance(value, (int, str)):
        return value
    return str(value)


def format_full_version(info):
    # The same formula as PEP 508's example code for implementation_version.
    version = "%d.%d.%d" % (info.major, info.minor, info.micro)
    if info.releaselevel != "final":
        version += info.releaselevel[0] + str(info.serial)
    return version


def marker_environment():
    # Every PEP 508 environment marker variable, computed exactly as the
    # specification (and packaging.markers.default_environment) computes it.
    return {
        "implementation_name": sys.implementation.name,
        "implementation_version": format_full_version(sys.implementation.version),
        "os_name": os.name,
        "platform_machine": platform.machine(),
        "platform_release": platform.release(),
        "platform_system": platform.system(),
        "platform_version": platform.version(),
        "python_full_version": platform.python_version(),
        "platform_python_implementation": platform.python_implementation(),
        "python_version": ".".join(platform.python_version_tuple()[:2]),
        "sys_platform": sys.platform,
    }


def venv_scheme():
    # Where things go in a virtual environment made from this interpreter,
    # relative to the environment's root. Python 3.11+ names the scheme
    # "venv"; before that a venv used the ordinary prefix scheme.
    if "venv" in sysconfig.get_scheme_names():
        scheme = "venv"
    elif os.name == "nt":
        scheme = "nt"
    else:
        scheme = "posix_prefix"
    marker = os.path.join(os.sep, "__posy_venv_root__")
    paths = sysconfig.get_paths(scheme, vars={"base": marker, "platbase": marker})
    relative = {}
    for key in ("purelib", "platlib", "scripts", "data"):
        path = paths[key]
        if path == marker:
            relative[key] = ""
        elif path.startswith(marker + os.sep):
            relative[key] = path[len(marker) + 1:]
    return {"name": scheme, "paths": relative}


def elf_interpreter(path):
    # The PT_INTERP entry of an ELF executable: the dynamic loader it asks for.
    # Reads only the headers; returns None for anything that is not ELF.
    try:
        with open(path, "rb") as f:
            ident = f.read(16)
            if len(ident) < 16 or ident[:4] != b"\x7fELF":
                return None
            bits = {1: 32, 2: 64}.get(ident[4])
            endian = {1: "<", 2: ">"}.get(ident[5])
            if bits is None or endian is None:
                return None
            if bits == 32:
                head_fmt, ph_fmt = endian + "HHIIIIIHHHHHH", endian + "IIIIIIII"
            else:
                head_fmt, ph_fmt = endian + "HHIQQQIHHHHHH", endian + "IIQQQQQQ"
            head = struct.unpack(head_fmt, f.read(struct.calcsize(head_fmt)))
            ph_off, ph_size, ph_num = head[4], head[8], head[9]
            for index in range(ph_num):
                f.seek(ph_off + index * ph_size)
                ph = struct.unpack(ph_fmt, f.read(struct.calcsize(ph_fmt)))
                if ph[0] != 3:  # PT_INTERP
                    continue
                if bits == 32:
                    offset, size = ph[1], ph[4]
                else:
                    offset, size = ph[2], ph[5]
                f.seek(offset)
                return f.read(size).rstrip(b"\x00").decode("utf-8", "replace")
    except (OSError, struct.error, ValueError):
        return None
    return None


def musl_version(loader):
    # The musl loader prints its version on stderr when run without arguments:
    # "musl libc (x86_64)" then "Version 1.2.2".
    import subprocess

    try:
        proc = subprocess.Popen([loader], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        _, err = proc.communicate()
    except OSError:
        return None
    lines = [line.strip() for line in err.decode("utf-8", "replace").splitlines()]
    lines = [line for line in lines if line]
    if len(lines) < 2 or not lines[0].startswith("musl"):
        return None
    words = lines[1].split()
    if len(words) < 2 or words[0] != "Version":
        return None
    parts = words[1].split(".")
    try:
        return [int(parts[0]), int(parts[1])]
    except (IndexError, ValueError):
        return None


def glibc_version():
    try:
        value = os.confstr("CS_GNU_LIBC_VERSION")
    except (AttributeError, OSError, ValueError):
        return None
    if not value:
        return None
    words = value.split()
    if len(words) != 2 or words[0] != "glibc":
        return None
    parts = words[1].split(".")
    try:
        return [int(parts[0]), int(parts[1])]
    except (IndexError, ValueError):
        return None


def mac_version():
    release, _, machine = platform.mac_ver()
    if not release:
        return None, None
    parts = release.split(".")
    version = [int(parts[0]), int(parts[1]) if len(parts) > 1 else 0]
    if version == [10, 16]:
        # Built against an old SDK, Python sees the compatibility version;
        # ask again with the compatibility shim off to learn the real one.
        import subprocess

        env = dict(os.environ)
        env["SYSTEM_VERSION_COMPAT"] = "0"
        code = "import platform; print(platform.mac_ver()[0])"
        out = subprocess.check_output([sys.executable, "-E", "-s", "-S", "-c", code], env=env)
        parts = out.decode().strip().split(".")
        version = [int(parts[0]), int(parts[1]) if len(parts) > 1 else 0]
    return version, machine


def base_executable():
    # The interpreter a virtual environment made from this one should point at.
    # In a venv, sys._base_executable is right on 3.11+; earlier POSIX versions
    # set it to the venv's own python, so look in the base prefix instead.
    candidate = getattr(sys, "_base_executable", None) or sys.executable
    in_prefix = os.path.realpath(os.path.dirname(candidate)).startswith(
        os.path.realpath(sys.prefix) + os.sep
    )
    if sys.prefix != sys.base_prefix and in_prefix:
        names = [
            "python%d.%d" % sys.version_info[:2],
            "python%d" % sys.version_info[0],
            "python",
        ]
        bindir = "Scripts" if os.name == "nt" else "bin"
        for name in names:
            for folder in (os.path.join(sys.base_prefix, bindir), sys.base_prefix):
                path = os.path.join(folder, name + (".exe" if os.name == "nt" else ""))
                if os.path.isfile(path):
                    return path
    return candidate


def main():
    if sys.version_info[0] < 3:
        sys.stdout.write("\n" + json.dumps({"result": "unsupported", "version": platform.python_version()}) + "\n")
        return
    from importlib.machinery import EXTENSION_SUFFIXES

    gil_disabled = config_var("Py_GIL_DISABLED")
    mac, mac_machine = mac_version() if sys.platform == "darwin" else (None, None)
    glibc = glibc_version() if sys.platform.startswith("linux") else None
    loader = elf_interpreter(sys.executable) if sys.platform.startswith("linux") else None
    musl = musl_version(loader) if loader and "musl" in loader else None
    android_api_level = None
    if hasattr(sys, "getandroidapilevel"):
        android_api_level = sys.getandroidapilevel()
    ios = None
    if sys.platform == "ios" and hasattr(platform, "ios_ver"):
        ios = [int(p) for p in platform.ios_ver().release.split(".")[:2]]
    paths = sysconfig.get_paths()
    facts = {
        "result": "ok",
        "markers": marker_environment(),
        "sys": {
            "executable": sys.executable,
            "base_executable": base_executable(),
            "prefix": sys.prefix,
            "base_prefix": sys.base_prefix,
            "exec_prefix": sys.exec_prefix,
            "base_exec_prefix": sys.base_exec_prefix,
            "version_info": [
                sys.version_info.major,
                sys.version_info.minor,
                sys.version_info.micro,
                sys.version_info.releaselevel,
                sys.version_info.serial,
            ],
            "version": sys.version,
            "implementation": sys.implementation.name,
            "implementation_version": format_full_version(sys.implementation.version),
            "abiflags": getattr(sys, "abiflags", ""),
            "pointer_size": struct.calcsize("P") * 8,
            "byteorder": sys.byteorder,
            "is_venv": sys.prefix != sys.base_prefix,
            "multiarch": getattr(sys.implementation, "_multiarch", None),
        },
        "paths": {
            key: paths.get(key)
            for key in ("purelib", "platlib", "scripts", "include", "data", "stdlib", "platstdlib")
        },
        "venv_scheme": venv_scheme(),
        "abi": {
            "py_version_nodot": config_var("py_version_nodot"),
            "soabi": config_var("SOABI"),
            "ext_suffix": config_var("EXT_SUFFIX"),
            "py_debug": config_var("Py_DEBUG"),
            "has_gettotalrefcount": hasattr(sys, "gettotalrefcount"),
            "debug_extension_suffix": "_d.pyd" in EXTENSION_SUFFIXES,
            "gil_disabled": bool(gil_disabled) if gil_disabled is not None else False,
            "with_pymalloc": config_var("WITH_PYMALLOC"),
            "unicode_size": config_var("Py_UNICODE_SIZE"),
            "max_unicode": sys.maxunicode,
        },
        "platform": {
            "sysconfig_platform": sysconfig.get_platform(),
            "machine": platform.machine(),
            "system": platform.system(),
            "glibc": glibc,
            "elf_interpreter": loader,
            "musl": musl,
            "macos": mac,
            "macos_machine": mac_machine,
            "ios": ios,
            "android_api_level": android_api_level,
            "emscripten_version": config_var("PYEMSCRIPTEN_PLATFORM_VERSION"),
        },
    }
    sys.stdout.write("\n" + json.dumps(facts) + "\n")


main()

# What the tests compare posy's probe against: the interpreter's own answers,
# with PEP 508 markers and PEP 425 tags from `packaging` (pip's vendored copy
# when packaging itself is not installed).
import json
import sys
import sysconfig

try:
    from packaging import __version__ as packaging_version
    from packaging import markers, tags
except ImportError:
    try:
        from pip._vendor.packaging import __version__ as packaging_version
        from pip._vendor.packaging import markers, tags
    except ImportError:
        # A bare virtual environment: only the sys/sysconfig answers.
        packaging_version = markers = tags = None

print(
    json.dumps(
        {
            "packaging_version": packaging_version,
            "markers": markers and markers.default_environment(),
            "tags": tags and [str(tag) for tag in tags.sys_tags()],
            "paths": sysconfig.get_paths(),
            "executable": sys.executable,
            "prefix": sys.prefix,
            "base_prefix": sys.base_prefix,
            "version_info": list(sys.version_info),
            "implementation": sys.implementation.name,
        }
    )
)

//! Entry points (`entry_points.txt`): console and GUI scripts and plugin groups.

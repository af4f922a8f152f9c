#!/usr/bin/env python3
"""Fails when an #include runs against vipd's layering (../shared/design.md).

Usage: layering.py SOURCE_ROOT

Dependencies point down: app -> daemon -> {config, os} -> proto -> core. core includes
nothing of the other layers (its vocabulary - IpAddress, Expected, the strong types - is
what they all share); proto only core; os only core and proto; config only core and
proto; daemon anything but app. A layer's files are src/LAYER/ and include/vipd/LAYER/;
an include is "vipd/LAYER/..." (public headers, include/vipd/LAYER/) or, for a layer's
private headers (src/LAYER/*.hpp), a name beside the file; a public header includes no
private one.
Also fails when a public header (include/vipd/LAYER/) pulls in a system header that only
one implementation needs: <poll.h>, <sys/socket.h>, <netinet/in.h> (keep them in src/).
"""
import pathlib
import re
import sys

ALLOWED = {
    "core": {"core"},
    "proto": {"core", "proto"},
    "os": {"core", "proto", "os"},
    "config": {"core", "proto", "config"},
    "daemon": {"core", "proto", "os", "config", "daemon"},
    "app": {"core", "proto", "os", "config", "daemon", "app"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)
PRIVATE_SYSTEM = {"poll.h", "sys/socket.h", "netinet/in.h"}


def layer_of(root, path):
    rel = path.relative_to(root).parts
    if rel[0] == "src" and len(rel) > 2:
        return rel[1]
    if rel[:2] == ("include", "vipd") and len(rel) > 3:
        return rel[2]
    return None


def main(root):
    root = pathlib.Path(root)
    problems = []
    files = sorted(p for d in ("src", "include") for p in (root / d).rglob("*")
                   if p.suffix in (".cpp", ".hpp", ".h"))
    for path in files:
        layer = layer_of(root, path)
        if layer not in ALLOWED:
            problems.append(f"{path.relative_to(root)}: not in a known layer")
            continue
        public = path.relative_to(root).parts[0] == "include"
        for n, quoted, inc in ((path.read_text()[:m.start()].count("\n") + 1,
                                m.group(1) == '"', m.group(2))
                               for m in INCLUDE.finditer(path.read_text())):
            parts = inc.split("/")
            if quoted and parts[0] != "vipd":
                # A private header: only a file of its own layer, beside it, may include it.
                if public:
                    problems.append(f"{path.relative_to(root)}:{n}: public header includes "
                                    f"private {inc}")
                elif len(parts) > 1 or not (path.parent / inc).is_file():
                    problems.append(f"{path.relative_to(root)}:{n}: {inc} is not a private "
                                    f"header beside the file")
            elif parts[0] == "vipd" and len(parts) > 2:
                if parts[1] not in ALLOWED[layer]:
                    problems.append(f"{path.relative_to(root)}:{n}: {layer} includes {inc}")
            elif public and inc in PRIVATE_SYSTEM:
                problems.append(f"{path.relative_to(root)}:{n}: public header includes <{inc}>")
    for p in problems:
        print(p)
    print(f"{len(files)} files checked, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))

#!/usr/bin/env python3
"""Prints what the operator image is: its name, size (compressed and unpacked), layers, what its file system holds
and what its SBOM lists. bin/dist writes this next to the archive.

  operator/image/report.py <image archive (OCI layout in a tar)> <SBOM .cdx.json>
"""

import collections
import json
import sys
import tarfile


def mib(n):
    return f"{n / 1024 / 1024:.1f} MiB"


def main():
    archive, sbom_path = sys.argv[1:3]
    with tarfile.open(archive) as outer:

        def blob(descriptor):
            return outer.extractfile("blobs/sha256/" + descriptor["digest"].split(":", 1)[1])

        index = json.load(outer.extractfile("index.json"))
        descriptor = index["manifests"][0]
        manifest = json.load(blob(descriptor))
        config = json.load(blob(manifest["config"]))
        print(f"image       {descriptor.get('annotations', {}).get('org.opencontainers.image.ref.name')}")
        print(f"digest      {descriptor['digest']}")
        print(f"user        {config['config'].get('User')}")
        print(f"entrypoint  {' '.join(config['config'].get('Entrypoint', []))}")
        compressed = sum(layer["size"] for layer in manifest["layers"])
        unpacked = 0
        by_area = collections.Counter()
        files = 0
        print("layers (compressed, unpacked, what):")
        for layer in manifest["layers"]:
            size = 0
            areas = collections.Counter()
            with tarfile.open(fileobj=blob(layer), mode="r:gz") as t:
                for member in t:
                    if member.isfile():
                        size += member.size
                        files += 1
                        parts = member.name.lstrip("./").split("/")
                        area = "/".join(parts[:2]) if parts[0] in ("opt", "app", "usr", "lib") else parts[0]
                        areas[area] += member.size
            unpacked += size
            by_area.update(areas)
            top = ", ".join(f"/{a}" for a, _ in areas.most_common(3))
            print(f"  {mib(layer['size']):>10} {mib(size):>10}  {top}")
        print(
            f"size        {mib(compressed)} compressed (what a registry stores and a node pulls), "
            f"{mib(unpacked)} unpacked, {files} files"
        )
        print("file system:")
        for area, size in by_area.most_common():
            print(f"  {mib(size):>10}  /{area}")
    sbom = json.load(open(sbom_path))
    kinds = collections.Counter()
    for component in sbom.get("components", []):
        purl = component.get("purl", "")
        kinds[purl.split(":", 1)[1].split("/", 1)[0] if purl else "other"] += 1
    print(f"SBOM        {sbom_path}: " + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())))
    for component in sbom.get("components", []):
        if not component.get("purl", "").startswith("pkg:maven"):
            print(f"  {component['name']} {component['version']}")


if __name__ == "__main__":
    main()
